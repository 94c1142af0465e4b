ALTER TABLE "apps" ADD COLUMN "min_replicas" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "max_replicas" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "sessions_per_replica" integer DEFAULT 50 NOT NULL;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "replica_count" integer DEFAULT 1 NOT NULL;