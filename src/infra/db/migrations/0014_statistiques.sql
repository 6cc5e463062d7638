CREATE TABLE "statistiques_a_recalculer" (
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	CONSTRAINT "statistiques_a_recalculer_annee_siret_pk" PRIMARY KEY("annee","siret")
);
--> statement-breakpoint
CREATE TABLE "statistiques_cellules" (
	"annee" integer NOT NULL,
	"etablissement_id" bigint NOT NULL,
	"niveau" text NOT NULL,
	"lignes" integer NOT NULL,
	"alloue_cents" bigint NOT NULL,
	"valide_cents" bigint NOT NULL,
	"verse_cents" bigint NOT NULL,
	"non_versable_cents" bigint NOT NULL,
	CONSTRAINT "statistiques_cellules_annee_etablissement_id_niveau_pk" PRIMARY KEY("annee","etablissement_id","niveau")
);
--> statement-breakpoint
CREATE TABLE "statistiques_jours" (
	"annee" integer NOT NULL,
	"jour" text NOT NULL,
	"enregistre_cents" bigint NOT NULL,
	"valide_cents" bigint NOT NULL,
	CONSTRAINT "statistiques_jours_annee_jour_pk" PRIMARY KEY("annee","jour")
);
--> statement-breakpoint
CREATE TABLE "statistiques_lignes" (
	"attribution_id" bigint PRIMARY KEY NOT NULL,
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	"etablissement_id" bigint NOT NULL,
	"niveau" text NOT NULL,
	"jour_validation" text,
	"jour_enregistrement" text NOT NULL,
	"alloue_cents" bigint NOT NULL,
	"valide_cents" bigint NOT NULL,
	"verse_cents" bigint NOT NULL,
	"non_versable_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "statistiques_lignes_siret_idx" ON "statistiques_lignes" USING btree ("annee","siret");