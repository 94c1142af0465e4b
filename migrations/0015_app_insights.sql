CREATE TABLE "app_metric_samples" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"deployment_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"cpu_cores" double precision NOT NULL,
	"memory_bytes" bigint NOT NULL,
	"memory_limit_bytes" bigint
);
--> statement-breakpoint
CREATE TABLE "app_oom_kills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"deployment_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_recent_viewers" (
	"app_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"email" text NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "app_recent_viewers_app_id_email_pk" PRIMARY KEY("app_id","email")
);
--> statement-breakpoint
CREATE TABLE "app_views_daily" (
	"app_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"day" date NOT NULL,
	"views" integer DEFAULT 0 NOT NULL,
	"unique_viewers" integer DEFAULT 0 NOT NULL,
	"viewers_sketch" "bytea",
	"sessions" integer DEFAULT 0 NOT NULL,
	"session_seconds" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "app_views_daily_app_id_day_pk" PRIMARY KEY("app_id","day")
);
--> statement-breakpoint
ALTER TABLE "app_metric_samples" ADD CONSTRAINT "app_metric_samples_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_metric_samples" ADD CONSTRAINT "app_metric_samples_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_metric_samples" ADD CONSTRAINT "app_metric_samples_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_oom_kills" ADD CONSTRAINT "app_oom_kills_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_oom_kills" ADD CONSTRAINT "app_oom_kills_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_oom_kills" ADD CONSTRAINT "app_oom_kills_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_recent_viewers" ADD CONSTRAINT "app_recent_viewers_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_recent_viewers" ADD CONSTRAINT "app_recent_viewers_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_views_daily" ADD CONSTRAINT "app_views_daily_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_views_daily" ADD CONSTRAINT "app_views_daily_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "app_metric_samples_app_idx" ON "app_metric_samples" USING btree ("app_id","at");--> statement-breakpoint
CREATE INDEX "app_oom_kills_app_idx" ON "app_oom_kills" USING btree ("app_id","at");--> statement-breakpoint
CREATE INDEX "app_recent_viewers_app_idx" ON "app_recent_viewers" USING btree ("app_id","last_seen_at");