package sim

// The word lists a generated tenant is drawn from. They are invented (the
// companies are Microsoft's fictitious ones plus a few made-up European
// firms), mix languages the way multinational tenants do, and carry the
// characters that trip up tools: spaces, apostrophes (straight and
// typographic), ampersands, dashes and non-ASCII letters. Where an object
// needs an ASCII form (aliases, domains) the list gives it next to the
// display form, as an administrator would have typed it.

// named is a display form with its ASCII form for aliases and addresses.
type named struct{ display, ascii string }

var genFirstNames = []string{
	"Aaliyah", "Ahmed", "Aiko", "Alejandro", "Amélie", "Ana", "Anders", "Ángel", "Anna", "Arjun",
	"Astrid", "Beatriz", "Ben", "Björn", "Camille", "Carlos", "Chen", "Chiara", "Chloé", "Daniel",
	"Dmitri", "Elif", "Emma", "Fatima", "François", "Grace", "Hannah", "Hiroshi", "Ingrid", "Isabel",
	"Jakub", "James", "Jörg", "José", "Julia", "Kai", "Karin", "Lars", "Laura", "Leon",
	"Liam", "Linnéa", "Łukasz", "Maria", "Mateo", "Mei", "Mohammed", "Nadia", "Noah", "Olivia",
	"Oskar", "Patrick", "Priya", "Rafael", "Sara", "Sebastián", "Siobhán", "Sofia", "Søren", "Tomás",
	"Yuki", "Zoë",
}

var genLastNames = []string{
	"Andersson", "Bauer", "Becker", "Bianchi", "Brown", "Carter", "Chen", "Costa", "Dąbrowski", "Dubois",
	"Fernández", "Fischer", "García", "Gonzalez", "Hansen", "Hoffmann", "Ivanova", "Jansen", "Johansson", "Kaya",
	"Kim", "Kowalski", "Larsen", "Lefèvre", "Lindqvist", "López", "Martin", "Meyer", "Moreau", "Müller",
	"Nakamura", "Nguyen", "Nielsen", "Novák", "O'Brien", "Okafor", "Patel", "Pereira", "Petrov", "Rossi",
	"Sato", "Schmidt", "Schneider", "Silva", "Singh", "Smith", "Suzuki", "Taylor", "van der Berg", "Wagner",
	"Wang", "Weber", "Williams", "Wójcik", "Yılmaz", "Zhang", "Øvergaard", "Ó Súilleabháin",
}

// genFunctions are the functional shared mailboxes every company has.
var genFunctions = []named{
	{"Accounts Payable", "accounts.payable"}, {"Accounts Receivable", "accounts.receivable"},
	{"Customer Service", "customer.service"}, {"Help Desk", "helpdesk"}, {"HR Recruiting", "recruiting"},
	{"Invoices", "invoices"}, {"Marketing Team", "marketing"}, {"Payroll", "payroll"},
	{"Press Office", "press"}, {"Reception", "reception"}, {"Sales Inquiries", "sales"},
	{"Service Desk", "servicedesk"}, {"Tenders", "tenders"}, {"Warehouse", "warehouse"},
	{"Facturación", "facturacion"}, {"Kundenservice", "kundenservice"}, {"Bestellungen", "bestellungen"},
	{"Buchhaltung", "buchhaltung"}, {"Ventas", "ventas"}, {"Recrutement", "recrutement"},
	{"Logistik", "logistik"}, {"Quality Assurance", "qa"}, {"IT Notifications", "it.notifications"},
	{"Scan to Mail", "scans"}, {"Fleet Management", "fleet"}, {"Datenschutz", "datenschutz"},
	{"Compliance", "compliance"}, {"Événements", "evenements"}, {"Förderanträge", "foerderantraege"},
}

// genRegions are offices and regions, as suffixes of functional mailboxes.
var genRegions = []named{
	{"Nordics", "nordics"}, {"DACH", "dach"}, {"UK & Ireland", "ukie"}, {"Zürich", "zurich"},
	{"São Paulo", "saopaulo"}, {"Kraków", "krakow"}, {"Malmö", "malmo"}, {"Montréal", "montreal"},
	{"München", "muenchen"}, {"Lyon", "lyon"}, {"Madrid", "madrid"}, {"Milano", "milano"},
	{"Rotterdam", "rotterdam"}, {"Dublin", "dublin"}, {"Wien", "wien"}, {"Göteborg", "goteborg"},
	{"İstanbul", "istanbul"}, {"Singapore", "singapore"}, {"Toronto", "toronto"}, {"Łódź", "lodz"},
}

// genSites are construction and facility projects (the project mailboxes of
// a construction ERP), with the word for "project" in the site's language.
var genSites = []struct {
	named
	project string
}{
	{named{"Riverside Tower", "riverside"}, "Project"},
	{named{"Harbour Bridge Refit", "harbour"}, "Project"},
	{named{"Neubau Kita Sonnenhügel", "sonnenhuegel"}, "Projekt"},
	{named{"Schulzentrum Nord", "schulzentrum"}, "Projekt"},
	{named{"Hospital Wing C", "hospital-c"}, "Project"},
	{named{"Logistikzentrum Süd", "lz-sued"}, "Projekt"},
	{named{"Résidence Les Tilleuls", "tilleuls"}, "Projet"},
	{named{"Ålesund Ferry Terminal", "alesund"}, "Project"},
	{named{"Metro Line 4 – Lot 2", "metro4"}, "Project"},
	{named{"Data Centre FRA-3", "dc-fra3"}, "Project"},
	{named{"Solar Park Øresund", "oresund-solar"}, "Project"},
	{named{"Campus Königsallee", "koenigsallee"}, "Projekt"},
	{named{"Office Park Łódź", "lodz-park"}, "Project"},
	{named{"Estadio Municipal – Reforma", "estadio"}, "Proyecto"},
	{named{"Kläranlage Ost", "klaeranlage-ost"}, "Projekt"},
	{named{"Gare de Lyon-Part-Dieu", "partdieu"}, "Projet"},
	{named{"Wind Farm Dogger Bank B", "doggerbank"}, "Project"},
	{named{"Torre Diagonal", "diagonal"}, "Proyecto"},
}

// genCompanies are partners: their names and mail domains.
var genCompanies = []named{
	{"Fabrikam", "fabrikam.com"}, {"Northwind Traders", "northwindtraders.com"}, {"Tailspin Toys", "tailspintoys.com"},
	{"Wide World Importers", "wideworldimporters.com"}, {"Adventure Works", "adventure-works.com"},
	{"Litware", "litwareinc.com"}, {"Woodgrove Bank", "woodgrovebank.com"}, {"Proseware", "proseware.com"},
	{"Lucerne Publishing", "lucernepublishing.com"}, {"Coho Winery", "cohowinery.com"},
	{"Alpine Ski House", "alpineskihouse.com"}, {"Fourth Coffee", "fourthcoffee.com"},
	{"Margie's Travel", "margiestravel.com"}, {"Trey Research", "treyresearch.net"}, {"Wingtip Toys", "wingtiptoys.com"},
	{"Relecloud", "relecloud.com"}, {"Müller Logistik", "mueller-logistik.de"}, {"Transports Lefèvre", "transports-lefevre.fr"},
	{"Ångström Bygg", "angstrombygg.se"}, {"Øresund Shipping", "oresundshipping.dk"}, {"Zürich Treuhand", "zuerich-treuhand.ch"},
	{"Łódź Print", "lodzprint.pl"}, {"Constructora Peñalara", "constructorapenalara.es"}, {"Bau & Partner", "bau-partner.at"},
	{"Kōbe Trading", "kobetrading.jp"},
}

// genFilterServices are invented third-party mail filtering services that
// sit in front of Exchange Online (connectors with enhanced filtering).
var genFilterServices = []named{
	{"MailShield Gateway", "mailshield-gw.net"}, {"SecureGate Cloud", "securegate.cloud"}, {"Spamwall Pro", "spamwall.io"},
}

// genRelaySites and genRelayApps name what relays through an on-premises
// connector: devices in an office, or a line-of-business application.
var (
	genRelaySites = []string{"Building 4", "Büro Zürich", "Lager Hamburg", "Plant Monterrey", "HQ floor 2",
		"Warehouse Rotterdam", "Atelier Lyon", "Fábrica Valencia", "Kontor Malmö", "Depot Łódź"}
	genRelayApps = []string{"SAP ERP", "Sage 200", "DATEV", "Navision", "ServiceNow MID", "Jenkins", "Zabbix",
		"Veeam Backup", "Printer fleet", "Access control system", "Fire alarm panel", "Lagerverwaltung"}
)

// genProducts, genTeams and genSecretNames name app registrations and their
// client secrets.
var (
	genProducts = []string{"Helpdesk Pro", "PropertyHub", "BuildSite ERP", "Invoice Scanner", "CRM Sync",
		"Ticketing Bridge", "Zeiterfassung", "Gestión de Facturas", "Lagerverwaltung", "Payroll Export",
		"Fleet Tracker", "Contract Vault", "Field Service", "Réservations", "Archiv-Connector", "Kassensystem",
		"Signage Player", "Backup Vault", "Survey Tool", "Intranet Portal"}
	genTeams       = []string{"IT Ops", "Service Desk", "Finance IT", "Identity Team", "Messaging Team", "Sécurité", "Plattform-Team"}
	genSecretNames = []string{"prod", "CI pipeline", "Jenkins", "Key Vault rotation", "initial", "2024 renewal",
		"Zoë laptop – temporary", "vendor onboarding", "staging"}
)

// genPublicNets are /16 networks (and three /24 documentation networks)
// that sender IP addresses are drawn from: the kind of ranges hosting
// providers, clouds and ISPs hand out, none of them private or reserved.
var genPublicNets = []string{
	"20.61", "40.113", "52.100", "13.69", "34.89", "35.190", "51.140", "62.153", "77.245", "80.156",
	"81.169", "85.214", "91.198", "94.100", "109.68", "145.253", "178.63", "185.12", "193.105", "194.25",
	"195.34", "212.227", "213.165", "217.72", "192.0.2", "198.51.100", "203.0.113",
}
