ALTER TABLE "ref_etablissements" ADD COLUMN "niveaux_arbre" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "ref_etablissements" ADD COLUMN "types_arbre" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
CREATE INDEX "ref_etab_racine_nom_idx" ON "ref_etablissements" USING btree ("annee","nom_recherche","id") WHERE "ref_etablissements"."parent_id" is null;--> statement-breakpoint
CREATE INDEX "ref_etab_racine_arbre_idx" ON "ref_etablissements" USING btree ("annee","niveaux_arbre","types_arbre") WHERE "ref_etablissements"."parent_id" is null;--> statement-breakpoint
-- The tree summary of ref_etablissements (ADR 0009): each row's niveaux and types together with those of
-- its composantes (a composante has none: its own). Recomputed for the rows a statement on
-- ref_etablissements changed (summary or parent) and for their parents, old and new.
CREATE FUNCTION ref_resume_arbre(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE ref_etablissements e SET niveaux_arbre = s.niveaux, types_arbre = s.types
  FROM (
    SELECT x.id,
      coalesce((SELECT array_agg(DISTINCT n ORDER BY n) FROM (
                  SELECT y.niveaux FROM ref_etablissements y WHERE y.id = x.id
                  UNION ALL SELECT y.niveaux FROM ref_etablissements y WHERE y.parent_id = x.id) t, unnest(t.niveaux) n), '{}') AS niveaux,
      coalesce((SELECT array_agg(DISTINCT v ORDER BY v) FROM (
                  SELECT y.types FROM ref_etablissements y WHERE y.id = x.id
                  UNION ALL SELECT y.types FROM ref_etablissements y WHERE y.parent_id = x.id) t, unnest(t.types) v), '{}') AS types
    FROM ref_etablissements x WHERE x.id = ANY(ids)
  ) s
  WHERE e.id = s.id AND (e.niveaux_arbre IS DISTINCT FROM s.niveaux OR e.types_arbre IS DISTINCT FROM s.types)
$$;
--> statement-breakpoint
-- Its own update changes only the tree columns: the trigger it fires in turn finds no row to recompute
-- (and an UPDATE of no row still fires a statement trigger: nothing is called then).
-- A new row without a summary changes nothing (its tree columns start empty, its parent's stay right).
CREATE FUNCTION ref_etablissements_resume() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := array(
      SELECT DISTINCT u.id FROM nouvelles n CROSS JOIN LATERAL (VALUES (n.id), (n.parent_id)) u(id)
      WHERE u.id IS NOT NULL AND (n.niveaux <> '{}' OR n.types <> '{}'));
  ELSIF TG_OP = 'DELETE' THEN
    ids := array(SELECT DISTINCT parent_id FROM anciennes WHERE parent_id IS NOT NULL);
  ELSE
    ids := array(
      SELECT DISTINCT u.id FROM nouvelles n JOIN anciennes o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.id), (n.parent_id), (o.parent_id)) u(id)
      WHERE u.id IS NOT NULL
        AND (n.niveaux IS DISTINCT FROM o.niveaux OR n.types IS DISTINCT FROM o.types OR n.parent_id IS DISTINCT FROM o.parent_id));
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM ref_resume_arbre(ids);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ref_etablissements_resume_ins AFTER INSERT ON ref_etablissements REFERENCING NEW TABLE AS nouvelles
  FOR EACH STATEMENT EXECUTE FUNCTION ref_etablissements_resume();
--> statement-breakpoint
CREATE TRIGGER ref_etablissements_resume_upd AFTER UPDATE ON ref_etablissements REFERENCING NEW TABLE AS nouvelles OLD TABLE AS anciennes
  FOR EACH STATEMENT EXECUTE FUNCTION ref_etablissements_resume();
--> statement-breakpoint
CREATE TRIGGER ref_etablissements_resume_del AFTER DELETE ON ref_etablissements REFERENCING OLD TABLE AS anciennes
  FOR EACH STATEMENT EXECUTE FUNCTION ref_etablissements_resume();
--> statement-breakpoint
-- the rows already there
SELECT ref_resume_arbre(array(SELECT id FROM ref_etablissements));
