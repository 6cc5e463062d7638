CREATE TABLE "ref_mots" (
	"annee" integer NOT NULL,
	"mot" text NOT NULL,
	CONSTRAINT "ref_mots_annee_mot_pk" PRIMARY KEY("annee","mot")
);
--> statement-breakpoint
-- the vocabulary of the years already imported (the imports rebuild their year's from now on)
INSERT INTO "ref_mots" ("annee", "mot")
SELECT DISTINCT e.annee, m FROM ref_etablissements e, unnest(string_to_array(e.nom_recherche, ' ')) m WHERE length(m) >= 3;
