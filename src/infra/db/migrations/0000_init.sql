CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_user_id" uuid,
	"espace_id" uuid,
	"target_user_id" uuid,
	"ip" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demandes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"espace_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"decision" text
);
--> statement-breakpoint
CREATE TABLE "entreprises" (
	"siren" text PRIMARY KEY NOT NULL,
	"raison_sociale" text NOT NULL,
	"sigle" text,
	"categorie_juridique" text,
	"etat_administratif" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "espaces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"siren" text NOT NULL,
	"siret" text NOT NULL,
	"kind" text NOT NULL,
	"organisation_type" text NOT NULL,
	"domains" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "etablissement_declarations" (
	"espace_id" uuid NOT NULL,
	"siret" text NOT NULL,
	"declaration_code" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	"accessible_at" timestamp with time zone NOT NULL,
	"added_by" uuid,
	CONSTRAINT "etablissement_declarations_espace_id_siret_declaration_code_pk" PRIMARY KEY("espace_id","siret","declaration_code")
);
--> statement-breakpoint
CREATE TABLE "etablissements" (
	"siret" text PRIMARY KEY NOT NULL,
	"siren" text NOT NULL,
	"denomination" text NOT NULL,
	"est_siege" boolean DEFAULT false NOT NULL,
	"adresse" text DEFAULT '' NOT NULL,
	"code_postal" text,
	"code_commune" text,
	"libelle_commune" text,
	"etat_administratif" text NOT NULL,
	"checksum_warning" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "habilitation_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"espace_id" uuid NOT NULL,
	"actor_user_id" uuid,
	"user_id" uuid NOT NULL,
	"siret" text NOT NULL,
	"declaration_code" text NOT NULL,
	"declarer" boolean NOT NULL,
	"payer" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "habilitations" (
	"user_id" uuid NOT NULL,
	"siret" text NOT NULL,
	"declaration_code" text NOT NULL,
	"declarer" boolean DEFAULT false NOT NULL,
	"payer" boolean DEFAULT false NOT NULL,
	"granted_at" timestamp with time zone NOT NULL,
	"granted_by" uuid,
	CONSTRAINT "habilitations_user_id_siret_declaration_code_pk" PRIMARY KEY("user_id","siret","declaration_code")
);
--> statement-breakpoint
CREATE TABLE "inscription_drafts" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"step" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"text" text NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"absolute_expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"last_failure_at" timestamp with time zone,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" uuid NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"espace_id" uuid NOT NULL,
	"siret" text NOT NULL,
	"nom" text NOT NULL,
	"prenom" text NOT NULL,
	"login_key" text NOT NULL,
	"email" text NOT NULL,
	"telephone" text DEFAULT '' NOT NULL,
	"portable" text,
	"role" text NOT NULL,
	"status" text NOT NULL,
	"password_hash" text,
	"secret_question" text,
	"secret_answer_hash" text,
	"must_change_credentials" boolean DEFAULT false NOT NULL,
	"email_validated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "demandes" ADD CONSTRAINT "demandes_espace_id_espaces_id_fk" FOREIGN KEY ("espace_id") REFERENCES "public"."espaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "demandes" ADD CONSTRAINT "demandes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "espaces" ADD CONSTRAINT "espaces_siren_entreprises_siren_fk" FOREIGN KEY ("siren") REFERENCES "public"."entreprises"("siren") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "espaces" ADD CONSTRAINT "espaces_siret_etablissements_siret_fk" FOREIGN KEY ("siret") REFERENCES "public"."etablissements"("siret") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etablissement_declarations" ADD CONSTRAINT "etablissement_declarations_espace_id_espaces_id_fk" FOREIGN KEY ("espace_id") REFERENCES "public"."espaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etablissement_declarations" ADD CONSTRAINT "etablissement_declarations_siret_etablissements_siret_fk" FOREIGN KEY ("siret") REFERENCES "public"."etablissements"("siret") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etablissements" ADD CONSTRAINT "etablissements_siren_entreprises_siren_fk" FOREIGN KEY ("siren") REFERENCES "public"."entreprises"("siren") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "habilitations" ADD CONSTRAINT "habilitations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_espace_id_espaces_id_fk" FOREIGN KEY ("espace_id") REFERENCES "public"."espaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_espace_idx" ON "audit_events" USING btree ("espace_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "demandes_espace_idx" ON "demandes" USING btree ("espace_id","decided_at");--> statement-breakpoint
CREATE UNIQUE INDEX "espaces_siren_uq" ON "espaces" USING btree ("siren");--> statement-breakpoint
CREATE INDEX "etablissements_siren_idx" ON "etablissements" USING btree ("siren");--> statement-breakpoint
CREATE INDEX "habilitation_history_espace_idx" ON "habilitation_history" USING btree ("espace_id","at");--> statement-breakpoint
CREATE INDEX "mail_outbox_pending_idx" ON "mail_outbox" USING btree ("sent_at","id");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_hash_uq" ON "tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "tokens_user_idx" ON "tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_login_uq" ON "users" USING btree ("siret","login_key") WHERE status <> 'removed' and status <> 'refused';--> statement-breakpoint
CREATE INDEX "users_espace_idx" ON "users" USING btree ("espace_id");