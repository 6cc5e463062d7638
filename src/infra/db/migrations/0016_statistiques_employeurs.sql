CREATE TABLE "statistiques_employeurs" (
	"annee" integer NOT NULL,
	"siret" text NOT NULL,
	"enveloppes" integer NOT NULL,
	"credits_cents" bigint NOT NULL,
	"frais_cents" bigint NOT NULL,
	"recu_cents" bigint NOT NULL,
	CONSTRAINT "statistiques_employeurs_annee_siret_pk" PRIMARY KEY("annee","siret")
);
--> statement-breakpoint
CREATE TABLE "statistiques_totaux" (
	"annee" integer PRIMARY KEY NOT NULL,
	"employeurs" integer NOT NULL,
	"credits_cents" bigint NOT NULL,
	"frais_cents" bigint NOT NULL,
	"recu_cents" bigint NOT NULL
);
--> statement-breakpoint
create trigger statistiques_encaissements_i after insert on encaissements referencing new table as nouvelles for each statement execute function statistiques_marquer('siret');
--> statement-breakpoint
create trigger statistiques_encaissements_u after update on encaissements referencing new table as nouvelles old table as anciennes for each statement execute function statistiques_marquer('siret');
--> statement-breakpoint
create trigger statistiques_encaissements_d after delete on encaissements referencing old table as anciennes for each statement execute function statistiques_marquer('siret');
--> statement-breakpoint
-- what the database holds now is what was last summarised: a queued SIRET is replaced by its refresh
insert into statistiques_employeurs (annee, siret, enveloppes, credits_cents, frais_cents, recu_cents)
select coalesce(e.annee, r.annee), coalesce(e.siret, r.siret), case when e.siret is null then 0 else 1 end,
       coalesce(e.credits_cents, 0), coalesce(e.frais_operateur_cents, 0), coalesce(r.cents, 0)
  from enveloppes e
  full join (select annee, siret, sum(montant_cents) as cents from encaissements group by annee, siret) r on r.annee = e.annee and r.siret = e.siret;
--> statement-breakpoint
insert into statistiques_totaux (annee, employeurs, credits_cents, frais_cents, recu_cents)
select annee, sum(enveloppes), sum(credits_cents), sum(frais_cents), sum(recu_cents) from statistiques_employeurs group by annee;
