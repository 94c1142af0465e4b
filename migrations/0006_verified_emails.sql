CREATE TABLE "email_verifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"email" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_email_unique";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "email_verifications" ADD CONSTRAINT "email_verifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "email_verifications_user_idx" ON "email_verifications" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_verified_email_unique" ON "users" USING btree ("email") WHERE "users"."email_verified_at" is not null;--> statement-breakpoint
CREATE INDEX "users_email_idx" ON "users" USING btree ("email");--> statement-breakpoint
-- Accounts that accepted a workspace invitation sent to their address have proved it (the link went
-- there). Everyone else starts unverified; the admin `make up` creates is marked by bootstrap.ts.
UPDATE "users" SET "email_verified_at" = "first_accepted"."accepted_at"
FROM (
  SELECT "accepted_by", "email", min("accepted_at") AS "accepted_at"
  FROM "invitations" WHERE "accepted_at" IS NOT NULL AND "accepted_by" IS NOT NULL
  GROUP BY "accepted_by", "email"
) AS "first_accepted"
WHERE "users"."id" = "first_accepted"."accepted_by" AND "users"."email" = "first_accepted"."email";
