"""Names of places in Hong Kong and Taiwan that families there write and the gazetteers lack, and the common words
a town abroad may bear as its name (probe s30 D2).

GeoNames gives Hong Kong's larger neighbourhoods (Mong Kok, 旺角, Sha Tin) but not Causeway Bay, 铜锣湾 or 中环, and
few of Taiwan's districts (Neihu, 板桥) and bare city names (桃园市 but not 桃园); ``cpca`` knows the mainland's
districts only (Zigong's 大安区, not Taipei's). Simplified characters throughout: the index reads words in simplified
characters, traditional ones (銅鑼灣, 大安區, 桃園) are converted first."""

from __future__ import annotations

# Hong Kong's districts and neighbourhoods in English and Chinese, each a part of Hong Kong. A name that is also a
# place on the mainland is left out (马鞍山: Ma'anshan, Anhui; 蓝田: Lantian, Xi'an; 罗湖: Shenzhen; 天水围 begins
# with 天水, Tianshui; 长沙湾 with 长沙), as is a Chinese one that is also a word (北角, a "north corner"; 火炭,
# charcoal) and an English one that is a town elsewhere or a word (Stanley, Aberdeen, Happy Valley, Central,
# Admiralty: "Central, Hong Kong" is Hong Kong by its own name).
HONG_KONG_PARTS: tuple[str, ...] = (
    "Causeway Bay", "铜锣湾", "中环", "Sheung Wan", "上环", "金钟", "Mid-Levels", "跑马地", "North Point",
    "Quarry Bay", "鲗鱼涌", "Tai Koo", "太古城", "Shau Kei Wan", "筲箕湾", "Chai Wan", "柴湾", "Repulse Bay", "浅水湾",
    "Pok Fu Lam", "Pokfulam", "薄扶林", "Sai Wan", "Sai Ying Pun", "西营盘", "Shek Tong Tsui", "石塘咀",
    "Wong Chuk Hang", "黄竹坑", "Ap Lei Chau", "鸭脷洲", "Lan Kwai Fong", "兰桂坊", "Fortress Hill", "Tai Hang",
    "Wan Chai", "湾仔", "Central and Western", "Sham Shui Po", "深水埗", "Cheung Sha Wan", "Lai Chi Kok", "荔枝角",
    "Kowloon Tong", "九龙塘", "Kowloon Bay", "九龙湾", "Hung Hom", "红磡", "To Kwa Wan", "土瓜湾", "Yau Tsim Mong",
    "油尖旺", "Kwun Tong", "观塘", "Ngau Tau Kok", "牛头角", "Lam Tin", "Diamond Hill", "钻石山", "San Po Kong",
    "新蒲岗", "Lok Fu", "将军澳", "Kwai Tsing", "葵青", "Kwai Fong", "葵芳", "Tsing Yi", "青衣岛", "Tsuen Wan", "荃湾",
    "Tuen Mun", "屯门", "Yuen Long", "元朗", "Tin Shui Wai", "Sheung Shui", "上水", "Fanling", "粉岭", "Tai Po",
    "Sha Tin", "沙田", "Tai Wai", "Fo Tan", "Ma On Shan", "Sai Kung", "Tung Chung", "东涌", "Lantau",
    "Lantau Island", "大屿山", "Discovery Bay", "愉景湾", "Lamma Island", "南丫岛", "Cheung Chau", "长洲岛",
    "Chek Lap Kok", "赤鱲角", "Hong Kong International Airport", "时代广场", "Lo Wu", "Lok Ma Chau", "落马洲",
    "Tsim Sha Tsui", "尖沙咀", "Mong Kok", "旺角", "Yau Ma Tei", "油麻地",
)

# Taiwan's cities by their GeoNames English name: their Chinese names where GeoNames lacks the bare one (桃园市
# but not 桃园) and the names a family writes for their districts (大安区, 信义区, 板桥区), read as that city. A
# district's bare name (大安, 信义) names its city only beside another of its names, as a mainland district's does;
# its pinyin (Xinyi District, Da'an District) too. Of two cities with a district of one name, the larger district
# alone is listed (大安: Taipei's, not Taichung's; 信义, 中正, 中山: Taipei's, not Keelung's); a direction (东区,
# 西区), a word (新社区: a "new community"), a village, and a town GeoNames gives as a city of its own (新营: Xinying)
# are left out. A city GeoNames lacks (Pingtung) cannot be named.
TAIWAN_CITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Taipei": (("台北", "台北市"), (
        "中正区", "大同区", "中山区", "松山区", "大安区", "万华区", "信义区", "士林区", "北投区", "内湖区", "南港区",
        "文山区", "西门町")),
    "New Taipei City": (("新北", "新北市"), (
        "板桥区", "三重区", "中和区", "永和区", "新庄区", "新店区", "树林区", "莺歌区", "三峡区", "淡水区", "汐止区",
        "瑞芳区", "土城区", "芦洲区", "五股区", "泰山区", "林口区", "深坑区", "石碇区", "坪林区", "三芝区", "石门区",
        "八里区", "平溪区", "双溪区", "贡寮区", "金山区", "万里区", "乌来区")),
    "Taoyuan": (("桃园", "桃园市"), (
        "桃园区", "中坜区", "大溪区", "杨梅区", "芦竹区", "大园区", "龟山区", "八德区", "龙潭区", "平镇区", "观音区",
        "桃园机场")),
    "Taichung": (("台中", "台中市"), (
        "北屯区", "西屯区", "南屯区", "太平区", "大里区", "雾峰区", "乌日区", "丰原区", "潭子区", "大雅区", "沙鹿区",
        "梧栖区", "大甲区", "东势区")),
    "Tainan": (("台南", "台南市"), (
        "中西区", "安平区", "安南区", "永康区", "归仁区", "新化区", "仁德区", "善化区", "麻豆区", "佳里区")),
    "Kaohsiung": (("高雄", "高雄市"), (
        "楠梓区", "左营区", "鼓山区", "三民区", "盐埕区", "前金区", "新兴区", "苓雅区", "前镇区", "旗津区", "小港区",
        "凤山区", "大寮区", "林园区", "仁武区", "鸟松区", "冈山区", "路竹区", "旗山区", "美浓区")),
    "Keelung": (("基隆", "基隆市"), ()),
    "Hsinchu": (("新竹", "新竹市"), ()),
    "Chiayi City": (("嘉义", "嘉义市"), ()),
    "Yilan": (("宜兰", "宜兰市"), ()),
    "Hualien City": (("花莲", "花莲市"), ()),
    "Taitung": (("台东", "台东市"), ()),
    "Miaoli": (("苗栗", "苗栗市"), ()),
    "Nantou": (("南投", "南投市"), ()),
}

# English words that are also the names of towns abroad (Bay in the Philippines, Central in Louisiana, Union in New
# Jersey, the Chinatowns of San Francisco and Manhattan): written alone they name a part of whatever city the writer
# means, so such a town is named only beside another of its names (its region, its country), never alone.
COMMON_PLACE_WORDS: frozenset[str] = frozenset({
    "bay", "central", "union", "chinatown", "downtown", "midtown", "uptown", "koreatown", "japantown", "harbour",
    "harbor", "market", "station", "airport", "centre", "center", "city centre", "city center", "old town",
    "new town", "park", "square", "beach", "plaza", "waterfront", "riverside", "seaside", "lakeside", "hillside",
})

# Words that make the name before them a landmark's (Central Park, Union Square, Golden Gate Park, Bay Ridge, Bay
# Area, Orange County): a town named so is not meant, unless it is a big city (Toronto Union Station, Tokyo Tower).
LANDMARK_WORDS: frozenset[str] = frozenset({
    "park", "square", "bay", "ridge", "area", "station", "heights", "hill", "hills", "garden", "gardens", "plaza",
    "mall", "market", "beach", "harbour", "harbor", "valley", "point", "pier", "wharf", "village", "estate",
    "centre", "center", "county", "district", "island", "lake", "creek", "meadows", "grove", "terrace", "circle",
    "junction", "terminal", "quarter", "gate",
})

# The same in Chinese (simplified), after a name with nothing between (维多利亚公园, 时代广场): a town abroad so named
# is a landmark's name, no place (probe s31 E1: 香港维多利亚公园 is Hong Kong's park, not Victoria, British Columbia)
CJK_LANDMARK_WORDS: tuple[str, ...] = (
    "公园", "广场", "花园", "车站", "站", "机场", "大桥", "桥", "街", "港", "湾", "码头", "商场", "中心", "大厦",
    "市场",
    "海滩", "山", "岛", "村", "湖",
)
# after a city abroad's Chinese name, whatever its size, the name of a mall, an estate or a shop in China named after
# it (曼哈顿广场, 悉尼花园, 巴黎春天, 罗马假日广场): no place abroad alone
CJK_ESTATE_WORDS: tuple[str, ...] = ("广场", "花园", "小区", "公寓", "春天", "假日")
# landmarks of many cities named after a person or of one city named like another (中山公园: Sun Yat-sen's, in
# most cities; 北海公园 is Beijing's): no place alone
CJK_NAMESAKES: tuple[str, ...] = ("中山公园", "中山医院", "中山大学", "中山纪念", "中山广场", "北海公园")
# after any city's name, a chain's, found in every city (维也纳酒店, 兰州拉面, 沙县小吃, 重庆火锅): that city only
# beside another name of its region
CJK_SHOP_WORDS: tuple[str, ...] = (
    "酒店", "宾馆", "饭店", "大酒店", "餐厅", "酒家", "菜馆", "面馆", "拉面", "火锅", "小吃", "米粉", "烤鸭", "黄焖鸡",
)

# Words before a name that make it a neighbourhood named after the place (Little Italy, Little Tokyo), not the place
NEIGHBOURHOOD_BEFORE: frozenset[str] = frozenset({"little"})
