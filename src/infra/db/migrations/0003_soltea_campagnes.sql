CREATE TABLE "campagnes" (
	"annee" integer PRIMARY KEY NOT NULL,
	"etablissements_ouverture" text NOT NULL,
	"employeurs_ouverture" text NOT NULL,
	"periodes" jsonb NOT NULL,
	"vagues" jsonb NOT NULL,
	"reliquat" text NOT NULL,
	"source" text,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
ALTER TABLE "attributions" ADD COLUMN "validee_le" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attributions" ADD COLUMN "valide_periode" integer;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "reverse_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "frais_operateur_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "report_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "periode" text;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "declarant_siret" text;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "declarant_nom" text;--> statement-breakpoint
ALTER TABLE "enveloppes" ADD COLUMN "depose_le" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "enveloppes_declarant_idx" ON "enveloppes" USING btree ("declarant_siret","annee");