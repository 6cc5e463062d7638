ALTER TABLE "rappels_coordonnees" ADD COLUMN "jours" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE "rappels_coordonnees" DROP CONSTRAINT "rappels_coordonnees_annee_periode_siret_pk";--> statement-breakpoint
ALTER TABLE "rappels_coordonnees" ADD CONSTRAINT "rappels_coordonnees_annee_periode_jours_siret_pk" PRIMARY KEY("annee","periode","jours","siret");
