CREATE TABLE "rappels_coordonnees" (
	"annee" integer NOT NULL,
	"periode" integer NOT NULL,
	"siret" text NOT NULL,
	"envoye_le" timestamp with time zone NOT NULL,
	"destinataires" integer NOT NULL,
	CONSTRAINT "rappels_coordonnees_annee_periode_siret_pk" PRIMARY KEY("annee","periode","siret")
);
