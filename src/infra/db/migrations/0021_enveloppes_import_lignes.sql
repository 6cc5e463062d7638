CREATE UNLOGGED TABLE "enveloppes_import_lignes" (
	"run" text NOT NULL,
	"seq" integer NOT NULL,
	"siret" text NOT NULL,
	"exercice" integer NOT NULL,
	"code" text NOT NULL,
	"cents" bigint NOT NULL,
	"collecteur" text NOT NULL,
	"depot" integer NOT NULL,
	"depose_le" text,
	"declarant_siret" text,
	"declarant_nom" text,
	"debut" text NOT NULL,
	"fin" text NOT NULL,
	"fichier" integer NOT NULL,
	"ligne" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "enveloppes_import_lignes_idx" ON "enveloppes_import_lignes" USING btree ("run","siret","seq");