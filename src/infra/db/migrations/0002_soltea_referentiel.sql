CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "attributions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"siret_employeur" text NOT NULL,
	"etablissement_id" bigint NOT NULL,
	"formation_id" bigint,
	"points_base" integer NOT NULL,
	"statut" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "codes_bancaires" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"siret" text NOT NULL,
	"code_hash" text NOT NULL,
	"requested_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "communes" (
	"code" text PRIMARY KEY NOT NULL,
	"nom" text NOT NULL,
	"nom_recherche" text NOT NULL,
	"codes_postaux" text DEFAULT '' NOT NULL,
	"departement" text NOT NULL,
	"region" text NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"population" integer
);
--> statement-breakpoint
CREATE TABLE "coordonnees_bancaires" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"siret" text NOT NULL,
	"iban" text NOT NULL,
	"bic" text NOT NULL,
	"titulaire" text NOT NULL,
	"statut" text NOT NULL,
	"motif_rejet" text,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"verifiee_le" timestamp with time zone,
	"verifiee_par" uuid,
	"remplacee_le" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "enveloppes" (
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	"collecteur" text NOT NULL,
	"solde_cents" bigint NOT NULL,
	"deductions_cents" bigint DEFAULT 0 NOT NULL,
	"frais_cents" bigint DEFAULT 0 NOT NULL,
	"credits_cents" bigint NOT NULL,
	"partage_coordonnees" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "enveloppes_annee_siret_pk" PRIMARY KEY("annee","siret")
);
--> statement-breakpoint
CREATE TABLE "etablissement_profils" (
	"siret" text PRIMARY KEY NOT NULL,
	"presentation" text DEFAULT '' NOT NULL,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sites" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "ref_diplomes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"cle" text NOT NULL,
	"intitule" text NOT NULL,
	"intitule_recherche" text NOT NULL,
	"cfd" text,
	"rncp" text,
	"niveau" integer,
	"type" text
);
--> statement-breakpoint
CREATE TABLE "ref_etablissement_uais" (
	"etablissement_id" bigint NOT NULL,
	"uai" text NOT NULL,
	"checksum_warning" boolean DEFAULT false NOT NULL,
	CONSTRAINT "ref_etablissement_uais_etablissement_id_uai_pk" PRIMARY KEY("etablissement_id","uai")
);
--> statement-breakpoint
CREATE TABLE "ref_etablissements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"cle" text NOT NULL,
	"siret" text NOT NULL,
	"parent_id" bigint,
	"nom" text NOT NULL,
	"nom_recherche" text NOT NULL,
	"adresse" text DEFAULT '' NOT NULL,
	"code_postal" text,
	"code_commune" text,
	"commune" text,
	"departement" text,
	"region" text,
	"lat" double precision,
	"lng" double precision,
	"categorie" text NOT NULL,
	"liste" text NOT NULL,
	"checksum_warning" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ref_formations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"etablissement_id" bigint NOT NULL,
	"diplome_id" bigint NOT NULL,
	"code_commune" text DEFAULT '' NOT NULL,
	"commune" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attributions" ADD CONSTRAINT "attributions_etablissement_id_ref_etablissements_id_fk" FOREIGN KEY ("etablissement_id") REFERENCES "public"."ref_etablissements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attributions" ADD CONSTRAINT "attributions_formation_id_ref_formations_id_fk" FOREIGN KEY ("formation_id") REFERENCES "public"."ref_formations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ref_etablissement_uais" ADD CONSTRAINT "ref_etablissement_uais_etablissement_id_ref_etablissements_id_fk" FOREIGN KEY ("etablissement_id") REFERENCES "public"."ref_etablissements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ref_formations" ADD CONSTRAINT "ref_formations_etablissement_id_ref_etablissements_id_fk" FOREIGN KEY ("etablissement_id") REFERENCES "public"."ref_etablissements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ref_formations" ADD CONSTRAINT "ref_formations_diplome_id_ref_diplomes_id_fk" FOREIGN KEY ("diplome_id") REFERENCES "public"."ref_diplomes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "attributions_uq" ON "attributions" USING btree ("annee","siret_employeur","etablissement_id",coalesce("formation_id", 0));--> statement-breakpoint
CREATE INDEX "attributions_etab_idx" ON "attributions" USING btree ("etablissement_id");--> statement-breakpoint
CREATE INDEX "codes_bancaires_siret_idx" ON "codes_bancaires" USING btree ("siret","created_at");--> statement-breakpoint
CREATE INDEX "communes_nom_trgm" ON "communes" USING gin ("nom_recherche" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "communes_dep_idx" ON "communes" USING btree ("departement");--> statement-breakpoint
CREATE INDEX "coordonnees_bancaires_siret_idx" ON "coordonnees_bancaires" USING btree ("siret","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "coordonnees_bancaires_courante_uq" ON "coordonnees_bancaires" USING btree ("siret") WHERE "coordonnees_bancaires"."remplacee_le" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "ref_diplomes_cle_uq" ON "ref_diplomes" USING btree ("cle");--> statement-breakpoint
CREATE INDEX "ref_diplomes_rncp_idx" ON "ref_diplomes" USING btree ("rncp");--> statement-breakpoint
CREATE INDEX "ref_diplomes_intitule_trgm" ON "ref_diplomes" USING gin ("intitule_recherche" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "ref_uai_idx" ON "ref_etablissement_uais" USING btree ("uai");--> statement-breakpoint
CREATE UNIQUE INDEX "ref_etab_annee_cle_uq" ON "ref_etablissements" USING btree ("annee","cle");--> statement-breakpoint
CREATE INDEX "ref_etab_annee_siret_idx" ON "ref_etablissements" USING btree ("annee","siret");--> statement-breakpoint
CREATE INDEX "ref_etab_parent_idx" ON "ref_etablissements" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "ref_etab_annee_dep_idx" ON "ref_etablissements" USING btree ("annee","departement");--> statement-breakpoint
CREATE INDEX "ref_etab_nom_trgm" ON "ref_etablissements" USING gin ("nom_recherche" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "ref_formations_uq" ON "ref_formations" USING btree ("etablissement_id","diplome_id","code_commune");--> statement-breakpoint
CREATE INDEX "ref_formations_diplome_idx" ON "ref_formations" USING btree ("diplome_id","annee");