CREATE TABLE "imports_operateur" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"annee" integer,
	"agent_id" uuid NOT NULL,
	"fichier" text NOT NULL,
	"sha256" text NOT NULL,
	"taille" bigint NOT NULL,
	"etat" text NOT NULL,
	"phase" text,
	"fait" bigint DEFAULT 0 NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"comptes" jsonb,
	"rapport" jsonb,
	"instance" text NOT NULL,
	"battement" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "imports_operateur" ADD CONSTRAINT "imports_operateur_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "imports_operateur_etat_idx" ON "imports_operateur" USING btree ("etat");--> statement-breakpoint
CREATE INDEX "imports_operateur_created_idx" ON "imports_operateur" USING btree ("created_at");