-- The statistics' queue (docs/regles.md#statistiques): every write that changes what an employer SIRET's
-- allocation lines are worth, paid or unpaid queues that SIRET, in the writer's own transaction; a refresh
-- recomputes only the queued SIRETs. Statement-level triggers with transition tables: one insert per
-- statement, however many rows it writes.
create function statistiques_marquer() returns trigger language plpgsql as $$
begin
  if TG_OP in ('INSERT', 'UPDATE') then
    execute format('insert into statistiques_a_recalculer (annee, siret) select distinct annee, %I from nouvelles on conflict do nothing', TG_ARGV[0]);
  end if;
  if TG_OP in ('UPDATE', 'DELETE') then
    execute format('insert into statistiques_a_recalculer (annee, siret) select distinct annee, %I from anciennes on conflict do nothing', TG_ARGV[0]);
  end if;
  return null;
end $$;
--> statement-breakpoint
create trigger statistiques_attributions_i after insert on attributions referencing new table as nouvelles for each statement execute function statistiques_marquer('siret_employeur');
--> statement-breakpoint
create trigger statistiques_attributions_u after update on attributions referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer('siret_employeur');
--> statement-breakpoint
create trigger statistiques_attributions_d after delete on attributions referencing old table as anciennes for each statement execute function statistiques_marquer('siret_employeur');
--> statement-breakpoint
create trigger statistiques_enveloppes_i after insert on enveloppes referencing new table as nouvelles for each statement execute function statistiques_marquer('siret');
--> statement-breakpoint
create trigger statistiques_enveloppes_u after update on enveloppes referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer('siret');
--> statement-breakpoint
create trigger statistiques_enveloppes_d after delete on enveloppes referencing old table as anciennes for each statement execute function statistiques_marquer('siret');
--> statement-breakpoint
-- lines paid and unpayable shares count once their wave is issued: those of issued waves (a transfer
-- returned adds an unpayable share to its issued wave; a decision changes its state)
create function statistiques_marquer_emises() returns trigger language plpgsql as $$
begin
  if TG_OP in ('INSERT', 'UPDATE') then
    insert into statistiques_a_recalculer (annee, siret)
    select distinct n.annee, n.siret_employeur from nouvelles n join vagues_versement v on v.id = n.vague_id where v.statut = 'emise'
    on conflict do nothing;
  end if;
  if TG_OP in ('UPDATE', 'DELETE') then
    insert into statistiques_a_recalculer (annee, siret)
    select distinct o.annee, o.siret_employeur from anciennes o join vagues_versement v on v.id = o.vague_id where v.statut = 'emise'
    on conflict do nothing;
  end if;
  return null;
end $$;
--> statement-breakpoint
create trigger statistiques_lignes_versees_i after insert on lignes_versees referencing new table as nouvelles for each statement execute function statistiques_marquer_emises();
--> statement-breakpoint
create trigger statistiques_lignes_versees_u after update on lignes_versees referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer_emises();
--> statement-breakpoint
create trigger statistiques_lignes_versees_d after delete on lignes_versees referencing old table as anciennes for each statement execute function statistiques_marquer_emises();
--> statement-breakpoint
create trigger statistiques_non_versables_i after insert on non_versables referencing new table as nouvelles for each statement execute function statistiques_marquer_emises();
--> statement-breakpoint
create trigger statistiques_non_versables_u after update on non_versables referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer_emises();
--> statement-breakpoint
create trigger statistiques_non_versables_d after delete on non_versables referencing old table as anciennes for each statement execute function statistiques_marquer_emises();
--> statement-breakpoint
-- a transfer returned by the bank (or any change of its state): the employers of the lines it pays
create function statistiques_marquer_virements() returns trigger language plpgsql as $$
begin
  insert into statistiques_a_recalculer (annee, siret)
  select distinct lv.annee, lv.siret_employeur
    from nouvelles n join anciennes o on o.id = n.id join lignes_versees lv on lv.virement_id = n.id
   where n.statut is distinct from o.statut
  on conflict do nothing;
  return null;
end $$;
--> statement-breakpoint
create trigger statistiques_virements_u after update on virements referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer_virements();
--> statement-breakpoint
-- a wave issued or cancelled: the employers of its lines paid and of its unpayable shares
create function statistiques_marquer_vagues() returns trigger language plpgsql as $$
begin
  insert into statistiques_a_recalculer (annee, siret)
  select distinct x.annee, x.siret_employeur
    from nouvelles n join anciennes o on o.id = n.id
    join lateral (select lv.annee, lv.siret_employeur from lignes_versees lv where lv.vague_id = n.id
                  union all select nv.annee, nv.siret_employeur from non_versables nv where nv.vague_id = n.id) x on true
   where (n.statut = 'emise') <> (o.statut = 'emise')
  on conflict do nothing;
  return null;
end $$;
--> statement-breakpoint
create trigger statistiques_vagues_u after update on vagues_versement referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer_vagues();
--> statement-breakpoint
-- what the database already holds is queued once: the first refresh summarises it
insert into statistiques_a_recalculer (annee, siret)
select annee, siret_employeur from attributions union select annee, siret from enveloppes
on conflict do nothing;
