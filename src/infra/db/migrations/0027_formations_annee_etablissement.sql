-- A formation is of its establishment's year, now said by the database: the search then counts an
-- establishment's formations by its id alone, from ref_formations_uq, without reading the rows.
CREATE UNIQUE INDEX "ref_etab_id_annee_uq" ON "ref_etablissements" USING btree ("id","annee");--> statement-breakpoint
ALTER TABLE "ref_formations" DROP CONSTRAINT "ref_formations_etablissement_id_ref_etablissements_id_fk";--> statement-breakpoint
ALTER TABLE "ref_formations" ADD CONSTRAINT "ref_formations_etablissement_annee_fk" FOREIGN KEY ("etablissement_id","annee") REFERENCES "public"."ref_etablissements"("id","annee") ON DELETE cascade ON UPDATE no action;
