DROP INDEX "ref_formations_diplome_idx";--> statement-breakpoint
CREATE INDEX "ref_etab_annee_cp_idx" ON "ref_etablissements" USING btree ("annee","code_postal");--> statement-breakpoint
CREATE INDEX "ref_etab_annee_commune_idx" ON "ref_etablissements" USING btree ("annee","code_commune");--> statement-breakpoint
CREATE INDEX "ref_etab_annee_region_idx" ON "ref_etablissements" USING btree ("annee","region");--> statement-breakpoint
CREATE INDEX "ref_formations_diplome_etab_idx" ON "ref_formations" USING btree ("diplome_id","annee","etablissement_id");