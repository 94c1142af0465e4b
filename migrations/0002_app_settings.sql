CREATE TABLE "app_name_redirects" (
	"old_name" text PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "python_version" text;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "memory_mb" integer;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "cpus" real;--> statement-breakpoint
ALTER TABLE "app_name_redirects" ADD CONSTRAINT "app_name_redirects_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_name_redirects" ADD CONSTRAINT "app_name_redirects_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;