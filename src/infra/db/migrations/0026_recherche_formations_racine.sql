DROP INDEX "ref_formations_diplome_etab_idx";--> statement-breakpoint
ALTER TABLE "ref_formations" ADD COLUMN "racine_id" bigint;--> statement-breakpoint
-- The root establishment of each formation (ADR 0010): coalesce(parent_id, id) of its establishment.
-- The rows already there first (before the index and the triggers: one pass, nothing else to keep).
UPDATE "ref_formations" f SET "racine_id" = coalesce(e."parent_id", e."id") FROM "ref_etablissements" e WHERE e."id" = f."etablissement_id";--> statement-breakpoint
CREATE INDEX "ref_formations_diplome_racine_idx" ON "ref_formations" USING btree ("diplome_id","annee","etablissement_id","racine_id");--> statement-breakpoint
-- A formation written (inserted without its root, moved to another establishment, or its root written
-- directly) takes the root of its establishment. The referential import inserts 300,000 formations
-- with their root read in the same statement (a join on ref_etablissements): no trigger call for them.
CREATE FUNCTION ref_formations_racine() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.racine_id := (SELECT coalesce(e.parent_id, e.id) FROM ref_etablissements e WHERE e.id = NEW.etablissement_id);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER ref_formations_racine_ins BEFORE INSERT ON ref_formations
  FOR EACH ROW WHEN (NEW.racine_id IS NULL) EXECUTE FUNCTION ref_formations_racine();
--> statement-breakpoint
CREATE TRIGGER ref_formations_racine_upd BEFORE UPDATE OF etablissement_id, racine_id ON ref_formations
  FOR EACH ROW EXECUTE FUNCTION ref_formations_racine();
--> statement-breakpoint
-- An establishment whose parent changed (a composante moved, promoted to a root, or attached): its
-- formations take its new root. Statement-level (transition tables allow no column list): the
-- summaries' own updates of ref_etablissements change no parent and run nothing (an UPDATE of no row
-- still fires the statement triggers of ref_formations, whose summary update would fire this one again).
CREATE FUNCTION ref_etablissements_racine() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM nouvelles n JOIN anciennes o ON o.id = n.id WHERE n.parent_id IS DISTINCT FROM o.parent_id) THEN
    UPDATE ref_formations f SET racine_id = coalesce(n.parent_id, n.id)
    FROM nouvelles n JOIN anciennes o ON o.id = n.id
    WHERE n.parent_id IS DISTINCT FROM o.parent_id AND f.etablissement_id = n.id
      AND f.racine_id IS DISTINCT FROM coalesce(n.parent_id, n.id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ref_etablissements_racine_upd AFTER UPDATE ON ref_etablissements REFERENCING NEW TABLE AS nouvelles OLD TABLE AS anciennes
  FOR EACH STATEMENT EXECUTE FUNCTION ref_etablissements_racine();
