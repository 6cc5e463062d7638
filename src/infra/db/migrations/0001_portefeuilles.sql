CREATE TABLE "bulk_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"espace_id" uuid NOT NULL,
	"portefeuille_id" uuid,
	"actor_user_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"lines" integer NOT NULL,
	"changes" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portefeuille_clients" (
	"portefeuille_id" uuid NOT NULL,
	"espace_id" uuid NOT NULL,
	"siren" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "portefeuille_clients_portefeuille_id_siren_pk" PRIMARY KEY("portefeuille_id","siren")
);
--> statement-breakpoint
CREATE TABLE "portefeuille_declarants" (
	"portefeuille_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "portefeuille_declarants_portefeuille_id_user_id_pk" PRIMARY KEY("portefeuille_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "portefeuille_declarations" (
	"portefeuille_id" uuid NOT NULL,
	"declaration_code" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "portefeuille_declarations_portefeuille_id_declaration_code_pk" PRIMARY KEY("portefeuille_id","declaration_code")
);
--> statement-breakpoint
CREATE TABLE "portefeuille_etablissements" (
	"portefeuille_id" uuid NOT NULL,
	"siret" text NOT NULL,
	"siren" text NOT NULL,
	CONSTRAINT "portefeuille_etablissements_portefeuille_id_siret_pk" PRIMARY KEY("portefeuille_id","siret")
);
--> statement-breakpoint
CREATE TABLE "portefeuilles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"espace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "portefeuille_clients" ADD CONSTRAINT "portefeuille_clients_portefeuille_id_portefeuilles_id_fk" FOREIGN KEY ("portefeuille_id") REFERENCES "public"."portefeuilles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_clients" ADD CONSTRAINT "portefeuille_clients_espace_id_espaces_id_fk" FOREIGN KEY ("espace_id") REFERENCES "public"."espaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_clients" ADD CONSTRAINT "portefeuille_clients_siren_entreprises_siren_fk" FOREIGN KEY ("siren") REFERENCES "public"."entreprises"("siren") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_declarants" ADD CONSTRAINT "portefeuille_declarants_portefeuille_id_portefeuilles_id_fk" FOREIGN KEY ("portefeuille_id") REFERENCES "public"."portefeuilles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_declarants" ADD CONSTRAINT "portefeuille_declarants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_declarations" ADD CONSTRAINT "portefeuille_declarations_portefeuille_id_portefeuilles_id_fk" FOREIGN KEY ("portefeuille_id") REFERENCES "public"."portefeuilles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_etablissements" ADD CONSTRAINT "portefeuille_etablissements_portefeuille_id_portefeuilles_id_fk" FOREIGN KEY ("portefeuille_id") REFERENCES "public"."portefeuilles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuille_etablissements" ADD CONSTRAINT "portefeuille_etablissements_siret_etablissements_siret_fk" FOREIGN KEY ("siret") REFERENCES "public"."etablissements"("siret") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portefeuilles" ADD CONSTRAINT "portefeuilles_espace_id_espaces_id_fk" FOREIGN KEY ("espace_id") REFERENCES "public"."espaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bulk_requests_scope_idx" ON "bulk_requests" USING btree ("espace_id","portefeuille_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "portefeuille_clients_tiers_uq" ON "portefeuille_clients" USING btree ("espace_id","siren");--> statement-breakpoint
CREATE INDEX "portefeuille_clients_siren_idx" ON "portefeuille_clients" USING btree ("siren");--> statement-breakpoint
CREATE INDEX "portefeuille_declarants_user_idx" ON "portefeuille_declarants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "portefeuille_etablissements_siren_idx" ON "portefeuille_etablissements" USING btree ("portefeuille_id","siren");--> statement-breakpoint
CREATE INDEX "portefeuilles_espace_idx" ON "portefeuilles" USING btree ("espace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "portefeuilles_default_uq" ON "portefeuilles" USING btree ("espace_id") WHERE is_default;