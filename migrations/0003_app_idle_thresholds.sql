ALTER TABLE "apps" ADD COLUMN "freeze_after_seconds" integer;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "stop_after_seconds" integer;