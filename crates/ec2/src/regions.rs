//! The AWS regions and availability zones that DescribeRegions and
//! DescribeAvailabilityZones report. The data follows the AWS documentation
//! ("AWS Regions and Availability Zones", "AZ IDs") as of 2026: every region of
//! the `aws` partition, with the zones a newly created account sees.
//!
//! In the regions AWS lists as independently mapped (us-east-1, us-west-1,
//! us-west-2, eu-west-1, ap-northeast-1, ap-southeast-1, ap-southeast-2,
//! sa-east-1) the letter-to-AZ-id pairing differs between accounts; the
//! pairing here is one real account's. Every other region maps letters to
//! AZ ids the same way for everyone.

/// One region.
pub struct RegionInfo {
    /// e.g. "us-east-1"
    pub name: &'static str,
    /// true for regions that are opt-in (af-south-1, ap-east-1, me-south-1, eu-south-1, ... ).
    /// DescribeRegions reports these only with AllRegions=true, as "not-opted-in".
    pub opt_in_required: bool,
    /// Availability zones: (zone name, zone id), e.g. ("us-east-1a", "use1-az6").
    pub zones: &'static [(&'static str, &'static str)],
}

/// Every commercial region, sorted by name. Regions launched after
/// 20 March 2019 are opt-in; the older ones are enabled in every account.
pub static REGIONS: &[RegionInfo] = &[
    RegionInfo {
        name: "af-south-1",
        opt_in_required: true,
        zones: &[
            ("af-south-1a", "afs1-az1"),
            ("af-south-1b", "afs1-az2"),
            ("af-south-1c", "afs1-az3"),
        ],
    },
    RegionInfo {
        name: "ap-east-1",
        opt_in_required: true,
        zones: &[
            ("ap-east-1a", "ape1-az1"),
            ("ap-east-1b", "ape1-az2"),
            ("ap-east-1c", "ape1-az3"),
        ],
    },
    RegionInfo {
        name: "ap-east-2",
        opt_in_required: true,
        zones: &[
            ("ap-east-2a", "ape2-az1"),
            ("ap-east-2b", "ape2-az2"),
            ("ap-east-2c", "ape2-az3"),
        ],
    },
    // apne1-az3 is constrained and is no longer offered to new accounts, so
    // there is no ap-northeast-1b.
    RegionInfo {
        name: "ap-northeast-1",
        opt_in_required: false,
        zones: &[
            ("ap-northeast-1a", "apne1-az4"),
            ("ap-northeast-1c", "apne1-az1"),
            ("ap-northeast-1d", "apne1-az2"),
        ],
    },
    RegionInfo {
        name: "ap-northeast-2",
        opt_in_required: false,
        zones: &[
            ("ap-northeast-2a", "apne2-az1"),
            ("ap-northeast-2b", "apne2-az2"),
            ("ap-northeast-2c", "apne2-az3"),
            ("ap-northeast-2d", "apne2-az4"),
        ],
    },
    RegionInfo {
        name: "ap-northeast-3",
        opt_in_required: false,
        zones: &[
            ("ap-northeast-3a", "apne3-az3"),
            ("ap-northeast-3b", "apne3-az1"),
            ("ap-northeast-3c", "apne3-az2"),
        ],
    },
    RegionInfo {
        name: "ap-south-1",
        opt_in_required: false,
        zones: &[
            ("ap-south-1a", "aps1-az1"),
            ("ap-south-1b", "aps1-az3"),
            ("ap-south-1c", "aps1-az2"),
        ],
    },
    RegionInfo {
        name: "ap-south-2",
        opt_in_required: true,
        zones: &[
            ("ap-south-2a", "aps2-az1"),
            ("ap-south-2b", "aps2-az2"),
            ("ap-south-2c", "aps2-az3"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-1",
        opt_in_required: false,
        zones: &[
            ("ap-southeast-1a", "apse1-az1"),
            ("ap-southeast-1b", "apse1-az2"),
            ("ap-southeast-1c", "apse1-az3"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-2",
        opt_in_required: false,
        zones: &[
            ("ap-southeast-2a", "apse2-az1"),
            ("ap-southeast-2b", "apse2-az3"),
            ("ap-southeast-2c", "apse2-az2"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-3",
        opt_in_required: true,
        zones: &[
            ("ap-southeast-3a", "apse3-az1"),
            ("ap-southeast-3b", "apse3-az2"),
            ("ap-southeast-3c", "apse3-az3"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-4",
        opt_in_required: true,
        zones: &[
            ("ap-southeast-4a", "apse4-az1"),
            ("ap-southeast-4b", "apse4-az2"),
            ("ap-southeast-4c", "apse4-az3"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-5",
        opt_in_required: true,
        zones: &[
            ("ap-southeast-5a", "apse5-az1"),
            ("ap-southeast-5b", "apse5-az2"),
            ("ap-southeast-5c", "apse5-az3"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-6",
        opt_in_required: true,
        zones: &[
            ("ap-southeast-6a", "apse6-az1"),
            ("ap-southeast-6b", "apse6-az2"),
            ("ap-southeast-6c", "apse6-az3"),
        ],
    },
    RegionInfo {
        name: "ap-southeast-7",
        opt_in_required: true,
        zones: &[
            ("ap-southeast-7a", "apse7-az1"),
            ("ap-southeast-7b", "apse7-az2"),
            ("ap-southeast-7c", "apse7-az3"),
        ],
    },
    // Canada (Central) has no cac1-az3; its third zone is cac1-az4, named
    // ca-central-1d.
    RegionInfo {
        name: "ca-central-1",
        opt_in_required: false,
        zones: &[
            ("ca-central-1a", "cac1-az1"),
            ("ca-central-1b", "cac1-az2"),
            ("ca-central-1d", "cac1-az4"),
        ],
    },
    RegionInfo {
        name: "ca-west-1",
        opt_in_required: true,
        zones: &[
            ("ca-west-1a", "caw1-az1"),
            ("ca-west-1b", "caw1-az2"),
            ("ca-west-1c", "caw1-az3"),
        ],
    },
    RegionInfo {
        name: "eu-central-1",
        opt_in_required: false,
        zones: &[
            ("eu-central-1a", "euc1-az2"),
            ("eu-central-1b", "euc1-az3"),
            ("eu-central-1c", "euc1-az1"),
        ],
    },
    RegionInfo {
        name: "eu-central-2",
        opt_in_required: true,
        zones: &[
            ("eu-central-2a", "euc2-az1"),
            ("eu-central-2b", "euc2-az2"),
            ("eu-central-2c", "euc2-az3"),
        ],
    },
    RegionInfo {
        name: "eu-north-1",
        opt_in_required: false,
        zones: &[
            ("eu-north-1a", "eun1-az1"),
            ("eu-north-1b", "eun1-az2"),
            ("eu-north-1c", "eun1-az3"),
        ],
    },
    RegionInfo {
        name: "eu-south-1",
        opt_in_required: true,
        zones: &[
            ("eu-south-1a", "eus1-az1"),
            ("eu-south-1b", "eus1-az2"),
            ("eu-south-1c", "eus1-az3"),
        ],
    },
    RegionInfo {
        name: "eu-south-2",
        opt_in_required: true,
        zones: &[
            ("eu-south-2a", "eus2-az1"),
            ("eu-south-2b", "eus2-az2"),
            ("eu-south-2c", "eus2-az3"),
        ],
    },
    RegionInfo {
        name: "eu-west-1",
        opt_in_required: false,
        zones: &[
            ("eu-west-1a", "euw1-az2"),
            ("eu-west-1b", "euw1-az3"),
            ("eu-west-1c", "euw1-az1"),
        ],
    },
    // euw2-az4 (eu-west-2d) is London's fourth zone, a recent addition.
    RegionInfo {
        name: "eu-west-2",
        opt_in_required: false,
        zones: &[
            ("eu-west-2a", "euw2-az2"),
            ("eu-west-2b", "euw2-az3"),
            ("eu-west-2c", "euw2-az1"),
            ("eu-west-2d", "euw2-az4"),
        ],
    },
    RegionInfo {
        name: "eu-west-3",
        opt_in_required: false,
        zones: &[
            ("eu-west-3a", "euw3-az1"),
            ("eu-west-3b", "euw3-az2"),
            ("eu-west-3c", "euw3-az3"),
        ],
    },
    RegionInfo {
        name: "il-central-1",
        opt_in_required: true,
        zones: &[
            ("il-central-1a", "ilc1-az1"),
            ("il-central-1b", "ilc1-az2"),
            ("il-central-1c", "ilc1-az3"),
        ],
    },
    RegionInfo {
        name: "me-central-1",
        opt_in_required: true,
        zones: &[
            ("me-central-1a", "mec1-az1"),
            ("me-central-1b", "mec1-az2"),
            ("me-central-1c", "mec1-az3"),
        ],
    },
    RegionInfo {
        name: "me-south-1",
        opt_in_required: true,
        zones: &[
            ("me-south-1a", "mes1-az1"),
            ("me-south-1b", "mes1-az2"),
            ("me-south-1c", "mes1-az3"),
        ],
    },
    RegionInfo {
        name: "mx-central-1",
        opt_in_required: true,
        zones: &[
            ("mx-central-1a", "mxc1-az1"),
            ("mx-central-1b", "mxc1-az2"),
            ("mx-central-1c", "mxc1-az3"),
        ],
    },
    RegionInfo {
        name: "sa-east-1",
        opt_in_required: false,
        zones: &[
            ("sa-east-1a", "sae1-az1"),
            ("sa-east-1b", "sae1-az2"),
            ("sa-east-1c", "sae1-az3"),
        ],
    },
    // One of the regions that map zone letters to AZ ids per account; this is
    // the mapping of one real account.
    RegionInfo {
        name: "us-east-1",
        opt_in_required: false,
        zones: &[
            ("us-east-1a", "use1-az4"),
            ("us-east-1b", "use1-az6"),
            ("us-east-1c", "use1-az1"),
            ("us-east-1d", "use1-az2"),
            ("us-east-1e", "use1-az3"),
            ("us-east-1f", "use1-az5"),
        ],
    },
    RegionInfo {
        name: "us-east-2",
        opt_in_required: false,
        zones: &[
            ("us-east-2a", "use2-az1"),
            ("us-east-2b", "use2-az2"),
            ("us-east-2c", "use2-az3"),
        ],
    },
    // Newer accounts see only two zones here; usw1-az2 is closed to them.
    RegionInfo {
        name: "us-west-1",
        opt_in_required: false,
        zones: &[("us-west-1a", "usw1-az1"), ("us-west-1c", "usw1-az3")],
    },
    RegionInfo {
        name: "us-west-2",
        opt_in_required: false,
        zones: &[
            ("us-west-2a", "usw2-az2"),
            ("us-west-2b", "usw2-az1"),
            ("us-west-2c", "usw2-az3"),
            ("us-west-2d", "usw2-az4"),
        ],
    },
];

/// The region called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|region| region.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn region_names_are_unique_and_sorted() {
        let mut seen = HashSet::new();
        for region in REGIONS {
            assert!(seen.insert(region.name), "{} is listed twice", region.name);
        }
        for pair in REGIONS.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} is out of order", pair[1].name);
        }
    }

    #[test]
    fn zone_names_start_with_their_region() {
        for region in REGIONS {
            assert!(!region.zones.is_empty(), "{} has no zones", region.name);
            for (zone, _) in region.zones {
                assert!(zone.starts_with(region.name), "{zone} is not in {}", region.name);
            }
        }
    }

    #[test]
    fn zone_ids_are_unique() {
        let mut seen = HashSet::new();
        for region in REGIONS {
            for (_, id) in region.zones {
                assert!(seen.insert(*id), "{id} is listed twice");
            }
        }
    }

    #[test]
    fn find_knows_default_and_opt_in_regions() {
        assert!(find("us-east-1").is_some_and(|region| !region.opt_in_required));
        assert!(find("af-south-1").is_some_and(|region| region.opt_in_required));
        assert!(find("us-east-7").is_none());
    }
}
