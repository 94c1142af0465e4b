CREATE TABLE "acme_accounts" (
	"directory_url" text PRIMARY KEY NOT NULL,
	"key_ciphertext" text NOT NULL,
	"account_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tls_certificates" (
	"host" text PRIMARY KEY NOT NULL,
	"challenge_type" text NOT NULL,
	"certificate_pem" text,
	"key_ciphertext" text,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"issued_at" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
