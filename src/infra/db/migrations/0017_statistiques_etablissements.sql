CREATE TABLE "statistiques_etablissements" (
	"annee" integer NOT NULL,
	"etablissement_id" bigint NOT NULL,
	"lignes" integer NOT NULL,
	"alloue_cents" bigint NOT NULL,
	"valide_cents" bigint NOT NULL,
	"verse_cents" bigint NOT NULL,
	"non_versable_cents" bigint NOT NULL,
	CONSTRAINT "statistiques_etablissements_annee_etablissement_id_pk" PRIMARY KEY("annee","etablissement_id")
);
--> statement-breakpoint
CREATE TABLE "statistiques_niveaux" (
	"annee" integer NOT NULL,
	"niveau" text NOT NULL,
	"lignes" integer NOT NULL,
	"alloue_cents" bigint NOT NULL,
	"valide_cents" bigint NOT NULL,
	"verse_cents" bigint NOT NULL,
	"non_versable_cents" bigint NOT NULL,
	CONSTRAINT "statistiques_niveaux_annee_niveau_pk" PRIMARY KEY("annee","niveau")
);
--> statement-breakpoint
insert into statistiques_etablissements (annee, etablissement_id, lignes, alloue_cents, valide_cents, verse_cents, non_versable_cents)
select annee, etablissement_id, sum(lignes), sum(alloue_cents), sum(valide_cents), sum(verse_cents), sum(non_versable_cents)
  from statistiques_cellules group by annee, etablissement_id;
--> statement-breakpoint
insert into statistiques_niveaux (annee, niveau, lignes, alloue_cents, valide_cents, verse_cents, non_versable_cents)
select annee, niveau, sum(lignes), sum(alloue_cents), sum(valide_cents), sum(verse_cents), sum(non_versable_cents)
  from statistiques_cellules group by annee, niveau;
