CREATE TABLE "app_uploads" (
	"app_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"digest" text NOT NULL,
	"archive" "bytea" NOT NULL,
	"size_bytes" integer NOT NULL,
	"file_count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "app_uploads_app_id_digest_pk" PRIMARY KEY("app_id","digest")
);
--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "source" text DEFAULT 'git' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "upload_digest" text;--> statement-breakpoint
ALTER TABLE "app_uploads" ADD CONSTRAINT "app_uploads_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_uploads" ADD CONSTRAINT "app_uploads_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;