/** Conditions générales d'utilisation shown at step 2 of the inscription and downloadable. */
export const CGU_TITLE = 'Conditions générales d’utilisation de net-entreprises et de SOLTéA';

export const CGU_SECTIONS: { title: string; text: string }[] = [
  {
    title: '1. Objet',
    text: 'Les présentes conditions définissent les modalités d’inscription et d’utilisation du portail net-entreprises et de la plateforme SOLTéA, qui permet aux employeurs redevables du solde de la taxe d’apprentissage de désigner les établissements habilités bénéficiaires.',
  },
  {
    title: '2. Inscription',
    text: 'L’inscription est gratuite. La personne qui s’inscrit la première pour une entreprise en devient l’administrateur. Elle garantit l’exactitude des informations fournies et s’engage à les tenir à jour. Les données d’identification de l’établissement proviennent du répertoire SIRENE ; leur correction relève du centre de formalités des entreprises (CFE).',
  },
  {
    title: '3. Identifiants',
    text: 'Le SIRET, le nom, le prénom et le mot de passe sont personnels. L’utilisateur les garde confidentiels et signale sans délai tout usage frauduleux. Après plusieurs échecs de connexion, l’accès est temporairement bloqué.',
  },
  {
    title: '4. Rôles',
    text: 'L’administrateur gère les déclarations, les établissements, les déclarants et leurs habilitations. Le déclarant utilise les services pour lesquels il est habilité. Le tiers-déclarant agit pour le compte de ses clients dans le cadre de ses portefeuilles.',
  },
  {
    title: '5. Données personnelles',
    text: 'Les données sont traitées pour la gestion des comptes et des déclarations, conformément au règlement général sur la protection des données. Chaque personne dispose d’un droit d’accès, de rectification et d’effacement. Les connexions et les changements de droits sont journalisés.',
  },
  {
    title: '6. SOLTéA',
    text: 'Les choix de répartition sont exprimés en pourcentage des crédits à répartir. Les versements aux établissements sont effectués par virement aux dates fixées chaque année par arrêté. Les sommes non affectées sont réparties selon les règles de l’article R. 6241-28 du code du travail.',
  },
  {
    title: '7. Disponibilité',
    text: 'Le service est accessible en continu, sauf interruption pour maintenance. L’accès à une déclaration nouvellement ajoutée est ouvert 24 heures après son ajout.',
  },
];

export function cguAsText(): string {
  return [CGU_TITLE, '', ...CGU_SECTIONS.flatMap((s) => [s.title, s.text, ''])].join('\n');
}
