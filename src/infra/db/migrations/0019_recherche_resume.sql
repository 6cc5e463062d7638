ALTER TABLE "ref_etablissements" ADD COLUMN "niveaux" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "ref_etablissements" ADD COLUMN "types" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- The search summary of ref_etablissements (ADR 0008): each row's distinct niveaux and diploma types
-- of its own formations of its year, recomputed for the rows a statement on ref_formations or
-- ref_diplomes touched (statement-level triggers: one update per import batch, not one per formation).
CREATE FUNCTION ref_resume_recherche(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE ref_etablissements e SET niveaux = s.niveaux, types = s.types
  FROM (
    SELECT x.id,
      coalesce((SELECT array_agg(DISTINCT d.niveau ORDER BY d.niveau) FROM ref_formations f JOIN ref_diplomes d ON d.id = f.diplome_id
                WHERE f.etablissement_id = x.id AND f.annee = x.annee AND d.niveau IS NOT NULL), '{}') AS niveaux,
      coalesce((SELECT array_agg(DISTINCT upper(d.type) ORDER BY upper(d.type)) FROM ref_formations f JOIN ref_diplomes d ON d.id = f.diplome_id
                WHERE f.etablissement_id = x.id AND f.annee = x.annee AND d.type IS NOT NULL), '{}') AS types
    FROM ref_etablissements x WHERE x.id = ANY(ids)
  ) s
  WHERE e.id = s.id AND (e.niveaux IS DISTINCT FROM s.niveaux OR e.types IS DISTINCT FROM s.types)
$$;
--> statement-breakpoint
CREATE FUNCTION ref_formations_resume() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ref_resume_recherche(array(SELECT DISTINCT etablissement_id FROM nouvelles));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM ref_resume_recherche(array(SELECT DISTINCT etablissement_id FROM anciennes));
  ELSE
    PERFORM ref_resume_recherche(array(SELECT etablissement_id FROM nouvelles UNION SELECT etablissement_id FROM anciennes));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ref_formations_resume_ins AFTER INSERT ON ref_formations REFERENCING NEW TABLE AS nouvelles
  FOR EACH STATEMENT EXECUTE FUNCTION ref_formations_resume();
--> statement-breakpoint
CREATE TRIGGER ref_formations_resume_upd AFTER UPDATE ON ref_formations REFERENCING NEW TABLE AS nouvelles OLD TABLE AS anciennes
  FOR EACH STATEMENT EXECUTE FUNCTION ref_formations_resume();
--> statement-breakpoint
CREATE TRIGGER ref_formations_resume_del AFTER DELETE ON ref_formations REFERENCING OLD TABLE AS anciennes
  FOR EACH STATEMENT EXECUTE FUNCTION ref_formations_resume();
--> statement-breakpoint
-- a diploma's niveau or type corrected: every row with a formation of it
CREATE FUNCTION ref_diplomes_resume() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ref_resume_recherche(array(
    SELECT DISTINCT f.etablissement_id FROM nouvelles n JOIN anciennes o ON o.id = n.id JOIN ref_formations f ON f.diplome_id = n.id
    WHERE n.niveau IS DISTINCT FROM o.niveau OR upper(n.type) IS DISTINCT FROM upper(o.type)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ref_diplomes_resume_upd AFTER UPDATE ON ref_diplomes REFERENCING NEW TABLE AS nouvelles OLD TABLE AS anciennes
  FOR EACH STATEMENT EXECUTE FUNCTION ref_diplomes_resume();
--> statement-breakpoint
-- the rows already there
SELECT ref_resume_recherche(array(SELECT DISTINCT etablissement_id FROM ref_formations));
