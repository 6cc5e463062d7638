CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"courriel" text NOT NULL,
	"nom" text NOT NULL,
	"prenom" text NOT NULL,
	"role" text NOT NULL,
	"statut" text NOT NULL,
	"password_hash" text,
	"totp_secret" text,
	"totp_confirmed_at" timestamp with time zone,
	"totp_last_step" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "agents_courriel_unique" UNIQUE("courriel")
);
--> statement-breakpoint
CREATE TABLE "encaissements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	"collecteur" text NOT NULL,
	"montant_cents" bigint NOT NULL,
	"recu_le" text NOT NULL,
	"fichier" text NOT NULL,
	"reference" text NOT NULL,
	"importe_le" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lignes_versees" (
	"attribution_id" bigint NOT NULL,
	"vague_id" bigint NOT NULL,
	"virement_id" bigint NOT NULL,
	"annee" integer NOT NULL,
	"siret_employeur" text NOT NULL,
	"montant_cents" bigint NOT NULL,
	CONSTRAINT "lignes_versees_attribution_id_vague_id_pk" PRIMARY KEY("attribution_id","vague_id")
);
--> statement-breakpoint
CREATE TABLE "metiers_en_tension" (
	"annee" integer NOT NULL,
	"region" text NOT NULL,
	"metier" text NOT NULL,
	"rncp" text NOT NULL,
	CONSTRAINT "metiers_en_tension_annee_region_rncp_metier_pk" PRIMARY KEY("annee","region","rncp","metier")
);
--> statement-breakpoint
CREATE TABLE "non_versables" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"vague_id" bigint NOT NULL,
	"attribution_id" bigint NOT NULL,
	"siret_employeur" text NOT NULL,
	"beneficiaire_siret" text NOT NULL,
	"montant_cents" bigint NOT NULL,
	"motif" text NOT NULL,
	"motif_detail" text,
	"statut" text NOT NULL,
	"cree_le" timestamp with time zone NOT NULL,
	"decide_le" timestamp with time zone,
	"decide_par" uuid,
	"employeur_prevenu" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reliquat_parts" (
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	"region" text,
	"regionale_cents" bigint NOT NULL,
	"nationale_cents" bigint NOT NULL,
	"formations" integer NOT NULL,
	"calcule_le" timestamp with time zone NOT NULL,
	CONSTRAINT "reliquat_parts_annee_siret_pk" PRIMARY KEY("annee","siret")
);
--> statement-breakpoint
CREATE TABLE "vagues_versement" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"numero" integer NOT NULL,
	"nature" text NOT NULL,
	"date_execution" text NOT NULL,
	"statut" text NOT NULL,
	"preparee_le" timestamp with time zone NOT NULL,
	"preparee_par" uuid,
	"approuvee_le" timestamp with time zone,
	"approuvee_par" uuid,
	"emise_le" timestamp with time zone,
	"emise_par" uuid,
	"annulee_le" timestamp with time zone,
	"nb_virements" integer NOT NULL,
	"total_cents" bigint NOT NULL,
	"msg_id" text NOT NULL,
	"fichier_nom" text,
	"fichier_sha256" text
);
--> statement-breakpoint
CREATE TABLE "virements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"vague_id" bigint NOT NULL,
	"annee" integer NOT NULL,
	"beneficiaire_siret" text NOT NULL,
	"beneficiaire_nom" text NOT NULL,
	"montant_cents" bigint NOT NULL,
	"numero" integer NOT NULL,
	"libelle" text NOT NULL,
	"end_to_end_id" text NOT NULL,
	"coordonnees_id" bigint NOT NULL,
	"iban" text NOT NULL,
	"bic" text NOT NULL,
	"titulaire" text NOT NULL,
	"statut" text NOT NULL,
	"motif_code" text,
	"motif_libelle" text,
	"rejete_le" timestamp with time zone,
	CONSTRAINT "virements_end_to_end_id_unique" UNIQUE("end_to_end_id")
);
--> statement-breakpoint
ALTER TABLE "campagnes" ADD COLUMN "redesignation_fin" text;--> statement-breakpoint
ALTER TABLE "campagnes" ADD COLUMN "reliquat_regionale_bp" integer DEFAULT 4000 NOT NULL;--> statement-breakpoint
ALTER TABLE "lignes_versees" ADD CONSTRAINT "lignes_versees_attribution_id_attributions_id_fk" FOREIGN KEY ("attribution_id") REFERENCES "public"."attributions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lignes_versees" ADD CONSTRAINT "lignes_versees_vague_id_vagues_versement_id_fk" FOREIGN KEY ("vague_id") REFERENCES "public"."vagues_versement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lignes_versees" ADD CONSTRAINT "lignes_versees_virement_id_virements_id_fk" FOREIGN KEY ("virement_id") REFERENCES "public"."virements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_versables" ADD CONSTRAINT "non_versables_vague_id_vagues_versement_id_fk" FOREIGN KEY ("vague_id") REFERENCES "public"."vagues_versement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_versables" ADD CONSTRAINT "non_versables_attribution_id_attributions_id_fk" FOREIGN KEY ("attribution_id") REFERENCES "public"."attributions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vagues_versement" ADD CONSTRAINT "vagues_versement_preparee_par_agents_id_fk" FOREIGN KEY ("preparee_par") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vagues_versement" ADD CONSTRAINT "vagues_versement_approuvee_par_agents_id_fk" FOREIGN KEY ("approuvee_par") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vagues_versement" ADD CONSTRAINT "vagues_versement_emise_par_agents_id_fk" FOREIGN KEY ("emise_par") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "virements" ADD CONSTRAINT "virements_vague_id_vagues_versement_id_fk" FOREIGN KEY ("vague_id") REFERENCES "public"."vagues_versement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "virements" ADD CONSTRAINT "virements_coordonnees_id_coordonnees_bancaires_id_fk" FOREIGN KEY ("coordonnees_id") REFERENCES "public"."coordonnees_bancaires"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "encaissements_reference_uq" ON "encaissements" USING btree ("annee","reference");--> statement-breakpoint
CREATE INDEX "encaissements_siret_idx" ON "encaissements" USING btree ("annee","siret");--> statement-breakpoint
CREATE INDEX "lignes_versees_virement_idx" ON "lignes_versees" USING btree ("virement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "non_versables_ligne_vague_uq" ON "non_versables" USING btree ("attribution_id","vague_id");--> statement-breakpoint
CREATE INDEX "non_versables_employeur_idx" ON "non_versables" USING btree ("annee","siret_employeur");--> statement-breakpoint
CREATE UNIQUE INDEX "vagues_versement_active_uq" ON "vagues_versement" USING btree ("annee","numero") WHERE "vagues_versement"."statut" <> 'annulee';--> statement-breakpoint
CREATE UNIQUE INDEX "virements_vague_beneficiaire_uq" ON "virements" USING btree ("vague_id","beneficiaire_siret");--> statement-breakpoint
CREATE UNIQUE INDEX "virements_numero_uq" ON "virements" USING btree ("annee","numero");