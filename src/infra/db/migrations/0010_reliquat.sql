CREATE TABLE "reliquats" (
	"annee" integer PRIMARY KEY NOT NULL,
	"calcule_le" timestamp with time zone NOT NULL,
	"calcule_par" uuid,
	"vague_id" bigint NOT NULL,
	"regionale_bp" integer NOT NULL,
	"pool_cents" bigint NOT NULL,
	"non_attribue_cents" bigint NOT NULL,
	"non_versable_cents" bigint NOT NULL,
	"regionale_cents" bigint NOT NULL,
	"nationale_cents" bigint NOT NULL,
	"verse_cents" bigint NOT NULL,
	"reporte_cents" bigint NOT NULL,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reliquat_parts" ADD COLUMN "motif" text;--> statement-breakpoint
ALTER TABLE "reliquats" ADD CONSTRAINT "reliquats_calcule_par_agents_id_fk" FOREIGN KEY ("calcule_par") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reliquats" ADD CONSTRAINT "reliquats_vague_id_vagues_versement_id_fk" FOREIGN KEY ("vague_id") REFERENCES "public"."vagues_versement"("id") ON DELETE no action ON UPDATE no action;