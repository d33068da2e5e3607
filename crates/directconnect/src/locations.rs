//! Direct Connect locations by region, as DescribeLocations reports them.
//!
//! Codes, names, regions, port speeds and MACsec speeds follow a snapshot of
//! DescribeLocations run in every commercial region in early 2026 (published
//! by the dx-location-details project), with the letter case of codes
//! checked against AWS examples and public configurations where possible.
//! Real partner lists are long and change often; the ones here are a few
//! realistic names per site. Port speeds are spelled as the live API spells
//! them ("10G"), not as CreateConnection takes a bandwidth ("10Gbps").

/// One Direct Connect location.
pub struct LocationInfo {
    /// e.g. "EqDC2"
    pub code: &'static str,
    /// e.g. "Equinix DC1-DC6, DC10-DC12, DC15, Ashburn, VA"
    pub name: &'static str,
    /// the AWS region the location is associated with, e.g. "us-east-1"
    pub region: &'static str,
    /// e.g. &["1G", "10G", "100G"]
    pub port_speeds: &'static [&'static str],
    /// partner providers available there, e.g. &["Equinix, Inc.", "Verizon"] (a few realistic
    /// ones; may be empty)
    pub providers: &'static [&'static str],
    /// MACsec-capable port speeds, e.g. &["10G", "100G"] (may be empty)
    pub macsec_port_speeds: &'static [&'static str],
}

/// Every location, grouped by region (regions in name order, codes in
/// case-insensitive order within a region). A location belongs to the one
/// region that DescribeLocations lists it in, which is not always the nearest:
/// Dubai and Johannesburg sites, for instance, are homed on eu-west-1.
pub static LOCATIONS: &[LocationInfo] = &[
    // af-south-1
    LocationInfo {
        code: "EANB1",
        name: "East Africa Data Centres NBO1, Nairobi, KEN",
        region: "af-south-1",
        port_speeds: &["10G", "100G"],
        providers: &["Liquid Intelligent Technologies", "Safaricom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "RCL1",
        name: "Rack Centre LGS1, Ikeja, NGA",
        region: "af-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["MainOne", "Liquid Intelligent Technologies"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TECT1",
        name: "Teraco CT1, Cape Town, ZAF",
        region: "af-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Teraco", "Liquid Intelligent Technologies", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-east-1
    LocationInfo {
        code: "EQHK1",
        name: "Equinix HK1, Tsuen Wan, HKG",
        region: "ap-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "PCCW Global", "HGC Global Communications"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-east-2
    LocationInfo {
        code: "CFT54",
        name: "Chief Telecom HD, Taipei, TWN",
        region: "ap-east-2",
        port_speeds: &["10G", "100G"],
        providers: &["Chunghwa Telecom", "Chief Telecom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CHT51",
        name: "Chunghwa Telecom, New Taipei City, TWN",
        region: "ap-east-2",
        port_speeds: &["10G", "100G"],
        providers: &["Chunghwa Telecom", "Chief Telecom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-northeast-1
    LocationInfo {
        code: "ATTC1",
        name: "AT Tokyo Chuo Data Center, Tokyo, JPN",
        region: "ap-northeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["NTT Communications", "KDDI", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CFT52",
        name: "Chief Telecom LY, Taipei, TWN",
        region: "ap-northeast-1",
        port_speeds: &["1G", "10G"],
        providers: &["Chunghwa Telecom", "Chief Telecom"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "EQOS1",
        name: "Equinix OS1, Osaka, JPN",
        region: "ap-northeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "NTT Communications", "KDDI"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqTY2",
        name: "Equinix TY2, Tokyo, JPN",
        region: "ap-northeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "NTT Communications", "KDDI"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "NEIN2",
        name: "NEC Inzai, Inzai, JPN",
        region: "ap-northeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["NTT Communications", "KDDI", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-northeast-2
    LocationInfo {
        code: "LGKNX",
        name: "KINX Gasen, Seoul, KOR",
        region: "ap-northeast-2",
        port_speeds: &["1G", "10G"],
        providers: &["Sejong", "SK Telecom", "LG Uplus", "KINX", "Dreamline"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "LGU57",
        name: "LG U+ Pyeong-Chon Mega Center, Seoul, KOR",
        region: "ap-northeast-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Sejong", "SK Telecom", "LG Uplus", "Dreamline"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TLS10",
        name: "Digital Realty ICN10, Seoul, KOR",
        region: "ap-northeast-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["LG Uplus", "SK Broadband", "Samsung SDS", "KINX", "PCCW"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-northeast-3
    LocationInfo {
        code: "KDOS2",
        name: "KDDI Telehouse Osaka 2, Osaka, JPN",
        region: "ap-northeast-3",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["NTT Communications", "KDDI", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-south-1
    LocationInfo {
        code: "EQMB2",
        name: "Equinix MB2, Mumbai, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Tata Communications", "Airtel"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "GPX51",
        name: "Equinix MB1, Mumbai, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Tata Communications", "Airtel"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "NMBL2",
        name: "NetMagic DC2, Bangalore, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Tata Communications", "Airtel", "Sify Technologies"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "SFY52",
        name: "Sify Rabale, Navi Mumbai, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Tata Communications", "Airtel", "Sify Technologies"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "TCDC1",
        name: "STT GDC INDIA PVT. LTD. VSB, Chennai, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Tata Communications", "Airtel", "Sify Technologies"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TCDE2",
        name: "STT Delhi DC2, Delhi, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Tata Communications", "Airtel", "Sify Technologies"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TCDK1",
        name: "STT Kolkata, Kolkata, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Tata Communications", "Airtel", "Sify Technologies"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TCHY1",
        name: "STT Hyderabad DC1, Hyderabad, IND",
        region: "ap-south-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Tata Communications", "Airtel", "Sify Technologies"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-1
    LocationInfo {
        code: "AIMMN",
        name: "Menara AIMS, Kuala Lumpur, MYS",
        region: "ap-southeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["TM One", "TIME dotCom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EPVM2",
        name: "ePLDT VM2, Makati, PHL",
        region: "ap-southeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["PLDT", "Globe Telecom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqSG2",
        name: "Equinix SG2, Singapore, SGP",
        region: "ap-southeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Singtel", "StarHub"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "GSS52",
        name: "Global Switch, Singapore, SGP",
        region: "ap-southeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Singtel", "StarHub", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "IAMGI",
        name: "iAdvantage MEGA-i, Hong Kong, HKG",
        region: "ap-southeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["PCCW Global", "HGC Global Communications", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TCCBK",
        name: "TCC, Bangkok, THA",
        region: "ap-southeast-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["True IDC", "CAT Telecom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-2
    LocationInfo {
        code: "CBHU2",
        name: "CDC Hume 2, Canberra, AUS",
        region: "ap-southeast-2",
        port_speeds: &["10G", "100G"],
        providers: &["Megaport", "Telstra", "Optus"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "DCDH6",
        name: "Datacom DH6, Auckland, NZL",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G"],
        providers: &["Spark", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "EqSY3",
        name: "Equinix SY1 - SY4, Sydney, AUS",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Telstra"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "GBSY6",
        name: "Global Switch SY6, Sydney, AUS",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Megaport", "Telstra"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "NDCB2",
        name: "NEXTDC B2, Brisbane, AUS",
        region: "ap-southeast-2",
        port_speeds: &["10G", "100G"],
        providers: &["Megaport", "Telstra", "Optus"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "NDCC1",
        name: "NEXTDC C1, Canberra, AUS",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G"],
        providers: &["Megaport", "Telstra", "Optus"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "NDCM1",
        name: "NEXTDC M1, Melbourne, AUS",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Telstra", "Optus"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "NDCP1",
        name: "NEXTDC P1, Perth, AUS",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Telstra", "Optus"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "NDCS2",
        name: "NEXTDC S2, Sydney, AUS",
        region: "ap-southeast-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Telstra", "Optus"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-3
    LocationInfo {
        code: "DCIJ3",
        name: "DCI Indonesia, Cibitung, IDN",
        region: "ap-southeast-3",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Telkom Indonesia", "Lintasarta"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "JKT02",
        name: "NTT Jakarta 2 Data Center, Jakarta, IDN",
        region: "ap-southeast-3",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Telkom Indonesia", "Lintasarta"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-4
    LocationInfo {
        code: "EQME2",
        name: "Equinix ME2, Melbourne, AUS",
        region: "ap-southeast-4",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Telstra"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-5
    LocationInfo {
        code: "CMCHV",
        name: "CMC Tower, Hanoi, VNM",
        region: "ap-southeast-5",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["CMC Telecom", "Viettel"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CSFX1",
        name: "Telcohub 1 (CX1), Cyberjaya, MYS",
        region: "ap-southeast-5",
        port_speeds: &["10G", "100G"],
        providers: &["TM One", "TIME dotCom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-6
    LocationInfo {
        code: "SPK53",
        name: "Spark MDR, Auckland, NZL",
        region: "ap-southeast-6",
        port_speeds: &["10G", "100G"],
        providers: &["Spark", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ap-southeast-7
    LocationInfo {
        code: "THRA9",
        name: "Telehouse Bangkok, Bangkok, THA",
        region: "ap-southeast-7",
        port_speeds: &["10G", "100G"],
        providers: &["True IDC", "CAT Telecom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ca-central-1
    LocationInfo {
        code: "151FS",
        name: "Telehouse, Toronto, CAN",
        region: "ca-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Bell Canada", "TELUS"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CGM60",
        name: "Cologix MTL3, Montreal, CAN",
        region: "ca-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Bell Canada", "TELUS"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "COLV2",
        name: "Cologix VAN2, Vancouver, CAN",
        region: "ca-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Megaport", "Bell Canada", "TELUS"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "COLV3",
        name: "Cologix VAN3, Vancouver, CAN",
        region: "ca-central-1",
        port_speeds: &["10G", "100G"],
        providers: &["Megaport", "Bell Canada", "TELUS"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQTR2",
        name: "Equinix TR2, Toronto, CAN",
        region: "ca-central-1",
        port_speeds: &["10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Bell Canada"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "NTM62",
        name: "eStruxture, Montreal, CAN",
        region: "ca-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Bell Canada", "TELUS"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // ca-west-1
    LocationInfo {
        code: "EQCL1",
        name: "Equinix CL1, Calgary, CAN",
        region: "ca-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Bell Canada"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQCL3",
        name: "Equinix CL3, Calgary, CAN",
        region: "ca-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Bell Canada"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-central-1
    LocationInfo {
        code: "CDSR1",
        name: "CDLAN srl Via Caldera 21, Milan, ITA",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["TIM Enterprise", "Fastweb", "Colt"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CEC50",
        name: "CE Colo, Prague, CZE",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["CETIN", "Megaport"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "DGPU1",
        name: "DigiPlex Ulven, Oslo, NOR",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Telenor", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "EQAM3",
        name: "Equinix AM3, Amsterdam, NLD",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "KPN", "Colt"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqFA5",
        name: "Equinix FR5, Frankfurt, DEU",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Colt", "Deutsche Telekom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQHE6",
        name: "Equinix HE6, Espoo, FIN",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Elisa", "Telia"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "EQIL4",
        name: "Equinix IL4 Istanbul, Istanbul, TUR",
        region: "eu-central-1",
        port_speeds: &["10G", "100G"],
        providers: &["Equinix, Inc.", "Turk Telekom", "Turkcell Superonline"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQMU1",
        name: "Equinix MU1, Munich, DEU",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Colt", "Deutsche Telekom"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "EQWA1",
        name: "Equinix WA1, Warsaw, POL",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Orange Polska", "Megaport"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "INX6",
        name: "Digital Realty FRA6, Frankfurt, DEU",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Colt", "Deutsche Telekom", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "IPB50",
        name: "IPB GmbH, Berlin, DEU",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Colt", "Deutsche Telekom", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "IPHH3",
        name: "IPHH H3, Hamburg, DEU",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Colt", "Deutsche Telekom", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "ITCM2",
        name: "Equinix Itconic MD2, Madrid, ESP",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Telefonica", "Colt"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ITXA1",
        name: "Digital Realty ATH3, Athens, GRC",
        region: "eu-central-1",
        port_speeds: &["10G", "100G"],
        providers: &["OTE", "Lancom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ITXA7",
        name: "Digital Realty AMS7, Amsterdam, NLD",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["KPN", "Colt", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "ITXC2",
        name: "Digital Realty CPH2, Copenhagen, DNK",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["TDC", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "ITXM2",
        name: "Digital Realty MAD2, Madrid, ESP",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Telefonica", "Colt", "Megaport"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "ITXM3",
        name: "Digital Realty MAD3, Madrid, ESP",
        region: "eu-central-1",
        port_speeds: &["10G", "100G"],
        providers: &["Telefonica", "Colt", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ITXS1",
        name: "Digital Realty STO1, Stockholm, SWE",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Telia", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ITXV2",
        name: "Digital Realty VIE2, Vienna, AUT",
        region: "eu-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["A1 Telekom Austria", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "ITXZ1",
        name: "Digital Realty ZUR1, Zurich, CHE",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Swisscom", "Sunrise", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "MOILH",
        name: "MedOne, Haifa, ISR",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Bezeq International", "Partner Communications"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "THV52",
        name: "Telehouse Voltaire, Paris, FRA",
        region: "eu-central-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Orange Business", "Colt", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-central-2
    LocationInfo {
        code: "EQZH5",
        name: "Equinix ZH5, Zurich, CHE",
        region: "eu-central-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Swisscom", "Sunrise"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-north-1
    LocationInfo {
        code: "EQSK1",
        name: "Equinix Sweden SK1, Stockholm, SWE",
        region: "eu-north-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Telia", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-south-1
    LocationInfo {
        code: "EQML2",
        name: "Equinix ML2, Milan, ITA",
        region: "eu-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "TIM Enterprise", "Fastweb"],
        macsec_port_speeds: &[],
    },
    // eu-south-2
    LocationInfo {
        code: "EQBA1",
        name: "Equinix BA1, Barcelona, ESP",
        region: "eu-south-2",
        port_speeds: &["10G", "100G"],
        providers: &["Equinix, Inc.", "Telefonica", "Colt"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-west-1
    LocationInfo {
        code: "EirCL",
        name: "Eircom Clonshaugh, Dublin, IRL",
        region: "eu-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["eir", "Colt", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "EQDX1",
        name: "Equinix DX1, Dubai, ARE",
        region: "eu-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Etisalat", "du"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "EqLD5",
        name: "Equinix LD5, Slough, GBR",
        region: "eu-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Colt", "BT"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQLS1",
        name: "Equinix LS1, Lisbon, PRT",
        region: "eu-west-1",
        port_speeds: &["10G", "100G"],
        providers: &["Equinix, Inc.", "MEO", "NOS"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ETIFJ",
        name: "Etisalat Smart Hub Data Center, Fujairah, ARE",
        region: "eu-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["Etisalat", "du"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "ITXD2",
        name: "Digital Realty DUB2, Dublin, IRL",
        region: "eu-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["eir", "Colt", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ITXM1",
        name: "Digital Realty MRS1, Marseille, FRA",
        region: "eu-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["Orange Business", "Colt", "Megaport"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "SCDB9",
        name: "Servecentric Unit 9, Dublin, IRL",
        region: "eu-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["eir", "Colt", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TCSH",
        name: "Digital Realty LHR20, London, GBR",
        region: "eu-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["Colt", "BT", "Megaport"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "TEJB1",
        name: "Teraco JB1, Johannesburg, ZAF",
        region: "eu-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Teraco", "Liquid Intelligent Technologies", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-west-2
    LocationInfo {
        code: "EQMA3",
        name: "Equinix MA3, Manchester, GBR",
        region: "eu-west-2",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Colt", "BT"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "THNO2",
        name: "Telehouse West, London, GBR",
        region: "eu-west-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Colt", "BT", "Megaport"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // eu-west-3
    LocationInfo {
        code: "EQPA3",
        name: "Equinix PA3, Paris, FRA",
        region: "eu-west-3",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Orange Business", "Colt"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ITXP7",
        name: "Digital Realty PAR7, Paris, FRA",
        region: "eu-west-3",
        port_speeds: &["1G", "10G"],
        providers: &["Orange Business", "Colt", "Megaport"],
        macsec_port_speeds: &[],
    },
    // il-central-1
    LocationInfo {
        code: "ECTL1",
        name: "Edgeconnex, Tel Aviv, ISR",
        region: "il-central-1",
        port_speeds: &["1G", "10G"],
        providers: &["Bezeq International", "Partner Communications"],
        macsec_port_speeds: &["10G"],
    },
    // me-south-1
    LocationInfo {
        code: "BDC52",
        name: "AWS Bahrain DC52, Hamala, BHR",
        region: "me-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Batelco", "stc Bahrain"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "BDC53",
        name: "AWS Bahrain DC53, Askar, BHR",
        region: "me-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Batelco", "stc Bahrain"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "EQMC1",
        name: "Equinix MC1 Barka, Muscat, OMN",
        region: "me-south-1",
        port_speeds: &["1G", "10G"],
        providers: &["Equinix, Inc.", "Omantel"],
        macsec_port_speeds: &["10G"],
    },
    // mx-central-1
    LocationInfo {
        code: "EQMX1",
        name: "Equinix MX1, Queretaro, MEX",
        region: "mx-central-1",
        port_speeds: &["10G", "100G"],
        providers: &["Equinix, Inc.", "KIO Networks", "Telmex"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // sa-east-1
    LocationInfo {
        code: "CIBNA",
        name: "Cirion BNARAGMS, Buenos Aires, ARG",
        region: "sa-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Cirion Technologies", "Telecom Argentina"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CILIM",
        name: "Cirion LIMAPUCD, Lima, PER",
        region: "sa-east-1",
        port_speeds: &["1G", "10G"],
        providers: &["Cirion Technologies", "Telefonica del Peru"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "EQBG1",
        name: "Equinix BG1, Bogota, COL",
        region: "sa-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Cirion Technologies", "Internexa"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQRJ2",
        name: "Equinix RJ2, Rio de Janeiro, BRA",
        region: "sa-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Embratel", "Vivo"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "SONQU",
        name: "Sonda Quilicura, Santiago, CHL",
        region: "sa-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Entel", "GTD Teleductos"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TIVIT",
        name: "Tivit, Sao Paulo, BRA",
        region: "sa-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Embratel", "Vivo", "Algar Telecom"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TNDB",
        name: "Equinix SP4, Barueri, BRA",
        region: "sa-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Embratel", "Vivo"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // us-east-1
    LocationInfo {
        code: "165HS",
        name: "165 Halsey Street, Newark, NJ",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "CS32A-24FL",
        name: "CoreSite NY1, New York, NY",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CSVA1",
        name: "CoreSite VA1, Reston, VA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "EqDA2",
        name: "Equinix DA2, Dallas, TX",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqDC2",
        name: "Equinix DC2/DC11, Ashburn, VA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "EqMI1",
        name: "Equinix MI1, Miami, FL",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqNY5",
        name: "Equinix NY5, Secaucus, NJ",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "KIOQ1",
        name: "KIO Networks QRO 1, Queretaro, MEX",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["KIO Networks", "Telmex"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "LGT50",
        name: "Crown Castle, Philadelphia, PA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "MB1SD",
        name: "Markley, Boston, MA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "QTDC2",
        name: "QTS ATL1, Atlanta, GA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TLLPJ",
        name: "Digital Realty IAD38, Ashburn, VA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "TLXA1",
        name: "Digital Realty ATL13, Atlanta, GA",
        region: "us-east-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // us-east-2
    LocationInfo {
        code: "COL67",
        name: "Cologix COL2, Columbus, OH",
        region: "us-east-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "COLM3",
        name: "Cologix MIN3, Minneapolis, MN",
        region: "us-east-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CSCH1",
        name: "CoreSite CH1, Chicago, IL",
        region: "us-east-2",
        port_speeds: &["10G", "100G", "400G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "CYOA1",
        name: "CyrusOne Aurora A1, Aurora, IL",
        region: "us-east-2",
        port_speeds: &["10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CYOW3",
        name: "DataBank HOU3, Houston, TX",
        region: "us-east-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EQC50",
        name: "Equinix CH2, Chicago, IL",
        region: "us-east-2",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Equinix, Inc.", "Zayo Group", "AT&T", "Verizon", "CenturyLink"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "NPKC1",
        name: "Netrality Data Centers, Kansas City, MO",
        region: "us-east-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "QTS52",
        name: "QTS, Chicago, IL",
        region: "us-east-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    // us-west-1
    LocationInfo {
        code: "CSOW",
        name: "CoreSite LA1, Los Angeles, CA",
        region: "us-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CSSV2",
        name: "Coresite SV2, Milpitas, CA",
        region: "us-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "CSSV4",
        name: "CoreSite SV4, Santa Clara, CA",
        region: "us-west-1",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "ECPH1",
        name: "EdgeConnex PHX01, Tempe, AZ",
        region: "us-west-1",
        port_speeds: &["10G", "100G", "400G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "EqLA3",
        name: "Equinix LA3, El Segundo, CA",
        region: "us-west-1",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqSV5",
        name: "Equinix SV5, San Jose, CA",
        region: "us-west-1",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "PNP51",
        name: "PhoenixNAP, Phoenix, AZ",
        region: "us-west-1",
        port_speeds: &["1G", "10G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &[],
    },
    // us-west-2
    LocationInfo {
        code: "ALN91",
        name: "AlohaNap, Kapolei, HI",
        region: "us-west-2",
        port_speeds: &["10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "CSDE1",
        name: "CoreSite DE1, Denver, CO",
        region: "us-west-2",
        port_speeds: &["1G", "10G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G"],
    },
    LocationInfo {
        code: "DBLV1",
        name: "DataBank LAS1, Las Vegas, NV",
        region: "us-west-2",
        port_speeds: &["10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "ECPO1",
        name: "EdgeConnex, Hillsboro, OR",
        region: "us-west-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "EqSe2-EQ",
        name: "Westin Building Exchange, Seattle, WA",
        region: "us-west-2",
        port_speeds: &["1G", "10G", "100G", "400G"],
        providers: &["Equinix, Inc.", "Megaport", "Zayo Group"],
        macsec_port_speeds: &["10G", "100G", "400G"],
    },
    LocationInfo {
        code: "PEH51",
        name: "Pittock Block, Portland, OR",
        region: "us-west-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "SNAP",
        name: "Switch SUPERNAP 8, Las Vegas, NV",
        region: "us-west-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G", "100G"],
    },
    LocationInfo {
        code: "T5ALA",
        name: "Serverfarm LAX1 El Segundo, El Segundo, CA",
        region: "us-west-2",
        port_speeds: &["1G", "10G", "100G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &[],
    },
    LocationInfo {
        code: "TPS19",
        name: "TierPoint, Seattle, WA",
        region: "us-west-2",
        port_speeds: &["1G", "10G"],
        providers: &["Megaport", "Zayo Group", "Verizon"],
        macsec_port_speeds: &["10G"],
    },
];

/// The locations DescribeLocations lists when called in `region`.
pub fn in_region(region: &str) -> impl Iterator<Item = &'static LocationInfo> {
    LOCATIONS.iter().filter(move |location| location.region == region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Dedicated port speeds, and the speeds partners sell hosted connections at.
    const SPEEDS: &[&str] = &[
        "50Mbps", "100Mbps", "200Mbps", "300Mbps", "400Mbps", "500Mbps", "1G", "2G", "5G", "10G", "25G", "100G", "400G",
    ];

    #[test]
    fn codes_are_unique() {
        let mut seen = HashSet::new();
        for location in LOCATIONS {
            assert!(seen.insert(location.code), "{} is listed twice", location.code);
        }
    }

    #[test]
    fn fields_are_filled_in() {
        for location in LOCATIONS {
            assert!(!location.code.is_empty() && !location.name.is_empty());
            let region_ok =
                location.region.split('-').count() == 3 && location.region.ends_with(|c: char| c.is_ascii_digit());
            assert!(region_ok, "{} has region {:?}", location.code, location.region);
            assert!(!location.port_speeds.is_empty(), "{} has no port speeds", location.code);
            for provider in location.providers {
                assert!(!provider.is_empty(), "{} has an empty provider", location.code);
            }
        }
    }

    #[test]
    fn port_speeds_are_known_and_macsec_ones_are_offered() {
        for location in LOCATIONS {
            for speed in location.port_speeds {
                assert!(SPEEDS.contains(speed), "{}: unknown speed {speed}", location.code);
            }
            for speed in location.macsec_port_speeds {
                assert!(
                    location.port_speeds.contains(speed),
                    "{}: MACsec at {speed}, which is not a port speed",
                    location.code
                );
            }
        }
    }

    #[test]
    fn in_region_filters_by_region() {
        let codes: Vec<_> = in_region("us-east-1").map(|location| location.code).collect();
        assert!(codes.contains(&"EqDC2"));
        assert!(!codes.contains(&"EqSV5"));
        assert_eq!(in_region("xx-nowhere-1").count(), 0);
    }
}
