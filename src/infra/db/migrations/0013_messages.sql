CREATE TABLE "mail_debit" (
	"seconde" timestamp with time zone PRIMARY KEY NOT NULL,
	"envois" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_evenements" (
	"cle" text PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"traite_le" timestamp with time zone NOT NULL,
	"messages" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "preferences_messages" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"resume_quotidien" boolean NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "attachments" jsonb;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "cle" text;--> statement-breakpoint
ALTER TABLE "preferences_messages" ADD CONSTRAINT "preferences_messages_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_cle_unique" UNIQUE("cle");