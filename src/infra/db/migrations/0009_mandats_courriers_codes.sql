CREATE TABLE "coordonnees_bancaires_statuts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"coordonnees_id" bigint NOT NULL,
	"siret" text NOT NULL,
	"statut" text NOT NULL,
	"motif" text,
	"agent" text NOT NULL,
	"operator_user_id" uuid,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courriers_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_id" uuid NOT NULL,
	"siret" text NOT NULL,
	"nom" text NOT NULL,
	"adresse" text NOT NULL,
	"code_postal" text,
	"commune" text,
	"code" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"requested_by" uuid,
	"sent_at" timestamp with time zone,
	"sent_by" text
);
--> statement-breakpoint
CREATE TABLE "mandats" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tiers_espace_id" uuid NOT NULL,
	"siren" text NOT NULL,
	"statut" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"requested_by" uuid,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"ended_at" timestamp with time zone,
	"ended_by" uuid
);
--> statement-breakpoint
ALTER TABLE "coordonnees_bancaires_statuts" ADD CONSTRAINT "coordonnees_bancaires_statuts_coordonnees_id_coordonnees_bancaires_id_fk" FOREIGN KEY ("coordonnees_id") REFERENCES "public"."coordonnees_bancaires"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courriers_codes" ADD CONSTRAINT "courriers_codes_code_id_codes_bancaires_id_fk" FOREIGN KEY ("code_id") REFERENCES "public"."codes_bancaires"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mandats" ADD CONSTRAINT "mandats_tiers_espace_id_espaces_id_fk" FOREIGN KEY ("tiers_espace_id") REFERENCES "public"."espaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mandats" ADD CONSTRAINT "mandats_siren_entreprises_siren_fk" FOREIGN KEY ("siren") REFERENCES "public"."entreprises"("siren") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coordonnees_bancaires_statuts_idx" ON "coordonnees_bancaires_statuts" USING btree ("coordonnees_id","at");--> statement-breakpoint
CREATE INDEX "courriers_codes_a_envoyer_idx" ON "courriers_codes" USING btree ("created_at") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "courriers_codes_siret_idx" ON "courriers_codes" USING btree ("siret","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mandats_en_cours_uq" ON "mandats" USING btree ("tiers_espace_id","siren") WHERE statut in ('en_attente', 'accepte');--> statement-breakpoint
CREATE INDEX "mandats_siren_idx" ON "mandats" USING btree ("siren","statut");