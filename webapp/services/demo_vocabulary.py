"""Words the demo data is drawn from: French names, places, companies, job titles, tasks and deals."""

ENTITIES = ["Île-de-France", "Grand Ouest", "Hauts-de-France & Est", "Auvergne-Rhône-Alpes & Sud-Est", "Sud-Ouest"]

# (e-mail, last name, first name, role, entities; None = every entity). The first three are the README's logins.
DEMO_USERS = [
    ("admin@example.com", "MARTIN", "Claire", "Administrateur", None),
    ("responsable@example.com", "GARNIER", "Thomas", "Responsable commercial", None),
    ("commercial@example.com", "ROUSSEL", "Camille", "Commercial", ["Île-de-France"]),
    ("marion.cotillon@example.com", "COTILLON", "Marion", "Commercial", ["Île-de-France", "Grand Ouest"]),
    ("geraldine.bolese@example.com", "BOLESE", "Géraldine", "Commercial", ["Île-de-France"]),
    ("julien.berthelot@example.com", "BERTHELOT", "Julien", "Commercial", ["Grand Ouest"]),
    ("helene.lefevre@example.com", "LEFÈVRE", "Hélène", "Commercial", ["Auvergne-Rhône-Alpes & Sud-Est"]),
    ("nicolas.perrin@example.com", "PERRIN", "Nicolas", "Commercial", ["Sud-Ouest"]),
    ("sophie.menard@example.com", "MÉNARD", "Sophie", "Responsable commercial", ["Hauts-de-France & Est"]),
    ("antoine.chevalier@example.com", "CHEVALIER", "Antoine", "Commercial", ["Hauts-de-France & Est"]),
]

MAILING_LISTS = ["Malistemaljet", "Newsletter DSI", "Invitations salons", "Webinaires cloud"]

# (city, postal code, phone prefix, entity)
CITIES = [
    ("Paris", "75008", "01", 0), ("Paris", "75015", "01", 0), ("Courbevoie", "92400", "01", 0),
    ("Boulogne-Billancourt", "92100", "01", 0), ("Issy-les-Moulineaux", "92130", "01", 0),
    ("Vélizy-Villacoublay", "78140", "01", 0), ("Saint-Denis", "93200", "01", 0),
    ("Nantes", "44000", "02", 1), ("Rennes", "35000", "02", 1), ("Rouen", "76000", "02", 1),
    ("Brest", "29200", "02", 1), ("Angers", "49000", "02", 1),
    ("Lille", "59000", "03", 2), ("Villeneuve-d'Ascq", "59650", "03", 2), ("Strasbourg", "67000", "03", 2),
    ("Reims", "51100", "03", 2), ("Metz", "57000", "03", 2),
    ("Lyon", "69003", "04", 3), ("Grenoble", "38000", "04", 3), ("Nice", "06000", "04", 3),
    ("Valbonne", "06560", "04", 3), ("Marseille", "13002", "04", 3), ("Saint-Étienne", "42000", "04", 3),
    ("Toulouse", "31000", "05", 4), ("Blagnac", "31700", "05", 4), ("Bordeaux", "33000", "05", 4),
    ("Mérignac", "33700", "05", 4), ("Pau", "64000", "05", 4),
]
STREETS = ["rue de la République", "avenue Victor Hugo", "boulevard Haussmann", "rue Émile Zola", "quai de la Gare",
           "allée des Frères Lumière", "rue de l'Industrie", "place du Général de Gaulle", "avenue Jean Jaurès",
           "rue Pasteur", "chemin des Écoles", "cours de Verdun", "rue Marcel Dassault", "impasse des Lilas"]

FIRST_NAMES_F = ["Marie", "Nathalie", "Isabelle", "Sylvie", "Céline", "Stéphanie", "Sophie", "Aurélie", "Émilie",
                 "Julie", "Caroline", "Élise", "Chloé", "Zoé", "Léa", "Camille", "Manon", "Pauline", "Mathilde",
                 "Anaïs", "Gaëlle", "Cécile", "Noémie", "Bérénice", "Agnès", "Françoise", "Laëtitia", "Inès",
                 "Maëlle", "Océane", "Élodie", "Geneviève", "Anne-Sophie", "Marie-Hélène"]
FIRST_NAMES_M = ["Jean", "Pierre", "Michel", "Philippe", "Nicolas", "Christophe", "Laurent", "Éric", "Stéphane",
                 "Frédéric", "Sébastien", "Olivier", "David", "Julien", "Jérôme", "Guillaume", "François",
                 "Vincent", "Thomas", "Antoine", "Alexandre", "Maxime", "Romain", "Benoît", "Cédric", "Grégory",
                 "Hervé", "Gérard", "Raphaël", "Loïc", "Joël", "Gaël", "Clément", "Rémi", "Jean-François",
                 "Pierre-Yves", "Édouard", "Étienne"]
LAST_NAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
              "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
              "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure",
              "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
              "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
              "Masson", "Marchand", "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
              "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
              "Gérard", "Roche", "Renard", "Schmitt", "Colin", "Vidal", "Caron", "Picard", "Aubert", "Lemoine",
              "Renaud", "Lacroix", "Ménard", "Prévost", "Lévêque", "Barré", "Carré", "Étienne", "Émery",
              "de Villiers", "de La Fontaine", "d'Arcy", "du Bellay", "Le Gall", "Le Goff", "Le Bihan", "Le Roux"]

# Department label (as `crm init` creates them) -> job titles found there.
FUNCTIONS = {
    "Direction générale": ["Directeur général", "Directrice générale adjointe", "Secrétaire général", "Gérant"],
    "DSI": ["DSI", "Responsable infrastructure", "Architecte SI", "Chef de projet informatique",
            "Responsable applicatif", "Ingénieur DevOps", "RSSI", "Responsable data"],
    "Infrastructure": ["Responsable infrastructure", "Administrateur systèmes", "Ingénieur réseau"],
    "Études et développement": ["Responsable études", "Chef de projet", "Développeur senior"],
    "Data": ["Responsable data", "Data engineer", "Data scientist"],
    "Achats": ["Directeur des achats", "Acheteur IT", "Acheteuse prestations intellectuelles"],
    "Ressources humaines": ["DRH", "Responsable recrutement", "Chargée de recrutement"],
    "Finance": ["DAF", "Contrôleur de gestion", "Responsable comptable"],
    "Juridique": ["Directeur juridique", "Juriste", "DPO"],
    "Marketing": ["Directrice marketing", "Chef de projet", "Responsable communication"],
    "Commercial": ["Directeur commercial", "Ingénieur commercial", "Responsable grands comptes"],
    "Production": ["Directeur industriel", "Responsable de production"],
    "R&D": ["Directeur R&D", "Ingénieur R&D", "Responsable innovation"],
    "Qualité": ["Responsable qualité", "Responsable conformité", "DPO"],
    "Sécurité": ["RSSI", "Responsable sécurité", "Analyste SOC"],
    "Logistique": ["Directeur logistique", "Responsable supply chain"],
}

BRAND_STARTS = ["Al", "Ver", "Tec", "Nov", "Sol", "Gen", "Lum", "Cap", "Dyn", "Val", "Neo", "Axi", "Sys", "Cor",
                "Lin", "Ter", "Eur", "Pro", "Inn", "Vis", "Nor", "Hex", "Kal", "Zen"]
BRAND_ENDS = ["tec", "nov", "lis", "ma", "ris", "tis", "ys", "on", "ex", "ia", "al", "yx", "ence", "ium", "ora",
              "ane", "ix", "ea"]
ACTIVITIES = ["Industries", "Conseil", "Services", "Technologies", "Ingénierie", "Distribution", "Logistique",
              "Énergie", "Systèmes", "Solutions", "Finance", "Transports", "Assurances", "Santé", "Électronique",
              "Télécom", "Informatique", "Bâtiment", "Environnement", "Pharma"]
LEGAL_FORMS = [" SAS", " SA", " SARL", ""]

# Task type label (as `crm init` creates them) -> task names.
TASK_NAMES = {
    "Rendez-vous": ["Rendez-vous physique", "Présentation de l'offre", "Point d'avancement", "Déjeuner d'affaires"],
    "Rendez-vous téléphonique": ["Rendez-vous téléphonique", "Point téléphonique", "Qualification du besoin"],
    "Appel": ["Appel de prospection", "Appel de suivi", "Rappeler le contact"],
    "E-mail": ["Envoyer la plaquette", "Envoyer le compte rendu", "Transmettre les références"],
    "Relance": ["Relance proposition", "Relance devis", "Relance après salon"],
    "Démonstration": ["Démonstration produit", "Démonstration sur site", "Atelier de cadrage"],
}
TASK_DESCRIPTIONS = ["Préparer les références clients du secteur.", "Valider le budget et le calendrier.",
                     "Présenter l'équipe projet.", "Faire le point sur les besoins de l'année.", None, None]

DEAL_SUBJECTS = ["Refonte du SI RH", "Migration vers le cloud", "Tierce maintenance applicative",
                 "Audit de sécurité", "Assistance technique", "Mise en place d'un data lake", "Infogérance",
                 "Renouvellement des licences", "Accompagnement Agile", "Plan de reprise d'activité",
                 "Déploiement SAP", "Support utilisateurs", "Refonte du site e-commerce", "Formation DevOps"]
# The codes of webapp.services.deals (the deals screens name them).
OPPORTUNITY_STAGES = ["qualification", "qualification", "needs", "proposal", "negotiation", "won", "lost"]
# Opportunity stage -> the statuses its proposal may have (no proposal for the other stages).
PROPOSAL_STATUSES = {"proposal": ["draft", "sent"], "negotiation": ["sent"], "won": ["accepted"], "lost": ["refused"]}
DEAL_STATUSES = ["won", "in_progress", "delivered"]
