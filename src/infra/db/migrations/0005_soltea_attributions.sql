CREATE TABLE "choix_employeurs" (
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"validation_totale_periode" integer,
	"valide_le" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "choix_employeurs_annee_siret_pk" PRIMARY KEY("annee","siret")
);
--> statement-breakpoint
CREATE TABLE "groupe_membres" (
	"groupe_id" bigint NOT NULL,
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	CONSTRAINT "groupe_membres_annee_siret_pk" PRIMARY KEY("annee","siret")
);
--> statement-breakpoint
CREATE TABLE "groupes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"siren" text NOT NULL,
	"nom" text NOT NULL,
	"siret_reference" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
ALTER TABLE "groupe_membres" ADD CONSTRAINT "groupe_membres_groupe_id_groupes_id_fk" FOREIGN KEY ("groupe_id") REFERENCES "public"."groupes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "groupe_membres_groupe_idx" ON "groupe_membres" USING btree ("groupe_id");--> statement-breakpoint
CREATE UNIQUE INDEX "groupes_reference_uq" ON "groupes" USING btree ("annee","siret_reference");--> statement-breakpoint
CREATE INDEX "groupes_siren_idx" ON "groupes" USING btree ("siren","annee");