ALTER TABLE "apps" ADD COLUMN "previews_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "preview_secrets" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "preview_of_app_id" uuid;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "preview_number" integer;--> statement-breakpoint
ALTER TABLE "apps" ADD CONSTRAINT "apps_preview_of_app_id_apps_id_fk" FOREIGN KEY ("preview_of_app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;