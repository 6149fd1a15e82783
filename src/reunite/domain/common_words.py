"""Common words that name no place: what a moderator's words for families may repeat of the reporter's
own words (``domain.summary``). Everything else the reporter wrote, four letters or more, or two Chinese
characters in a row, is taken for a name that can pin the spot (a shop, a landmark, a street): a small,
fixed list, so a rare word the reporter used is refused rather than guessed harmless."""

from __future__ import annotations

# English words of four letters or more that describe a child, what the child wore and did, who was
# with the child, when; and the words that hold a sentence together. Inflected forms are read by
# ``common``: -s, -es, -ed, -ing, -ly.
_WORDS = """
about above across after again against ages alone along also although always among another anyone anything
around asked asking away baby back bare been before began begging behind being believe below beside besides
better between black blond blonde blue body both bought brother brown busy came cannot carried carry cheap
child children clean clear clearly close clothes coat cold collar colour color come could cried crying curly
dark daughter dirty does doing done down dress during each early either else empty even evening ever every
everyone eyes face fair family father feet female fine first food foot four free friend from front full gave
girl girls give glasses gold gone good grandfather grandmother grandma grandpa gray green grey grown hair half
hand hands happy hard have having head heavy held help hers herself high himself holding home hood hoodie hour
hours however hungry hurt inside into jacket jeans just keep kept kind knew know large last late later least
left legs less like likely little long look looked looking looks lost made make male many maybe mean might
minutes money month months more morning most mother much must name near nearly neck need never next night none
noon nothing often older once only open orange other others over pair pale pants park parent parents people
person pink plain playing please pretty purple rain rather really right round running sandals says school
seemed seen selling shirt shoe shoes short should shorts shoulder side sister sitting size skin skirt sleeping
slim small smiling socks some someone something sometimes soon speak speaking spoke standing still stood
stopped straight strange striped sure sweater tall tears tell than thank that their them themselves then there
these they thin thing things think this those though three through tied time tired today together told took
toward towards trousers twelve uncle under until upon very wait waiting walk walked walking want wanted warm
watch wearing week well went were what when which while white whole whom whose wide will wind window with
without woman women words work would wrist year years yellow young younger your yours aged afraid alert beard
boots bracelet braid braids brothers cheek chin crowd cousin cute earrings elder eight eleven fifty five forty
frightened game glove gloves hat hats holding injured jumper limping mask necklace nine nobody phone ponytail
quiet quietly rags scar scarf scared seven shaved shoulders sick sixty slippers sneakers sock sport stranger
strangers sweatshirt swollen tattoo teeth teenager thirty tooth toys trainers twenty uniform vest watching
wrists zipper begged asleep alive adult adults appeared approximately bag backpack bicycle bike bottle
reporter witness police photo picture said says carrying chair clothing toddler infant kids boys lady ladies
gentleman guard cart rickshaw flower flowers balloon balloons doll dolls ball umbrella stroller pram candy
sweets bread water fruit snack cards tissues paper newspaper sign cardboard blanket bowl bucket pushing pulled
sell sold buying
pulling man's woman's wheelchair crutch crutches bandage plaster bruise bruises barefoot shirtless tshirt
shaved glasses maybe thinks looked seemed nervous calm shouting singing dancing drawing reading eating
drinking
"""
COMMON = frozenset(_WORDS.split())

# Chinese characters that describe a child and what was seen (穿红色外套, 和一个老人在一起, 哭着要钱): two
# of them in a row name nothing. A pair of the reporter's words with any other character is a name to
# keep out of the words for families.
COMMON_HAN = frozenset(
    "一二三四五六七八九十两个岁多少约左右大概男女孩子儿童娃宝婴幼人们他她它我你的着了过在和与跟同"
    "是有没不很太也都还就又再被把给让向从对为呢吗吧啊哦非常特别一些这那哪里边面旁附近"
    "穿戴衣服裤裙鞋帽袜衫外套毛线棉夹克背心短长袖领围巾手套眼镜口罩书包背包拖凉靴运动校"
    "红橙黄绿青蓝紫黑白灰粉棕褐色花条纹格深浅亮旧破脏干净"
    "头发眼睛鼻嘴耳脸手脚腿胳膊皮肤胖瘦高矮个子疤痣牙齿光卷直辫马尾刘海"
    "哭笑坐站走跑躺睡吃喝玩乞讨要钱饭卖唱跪抱拉牵背领带看说叫喊害怕紧张哭泣低声"
    "妈爸爷奶姥外公婆叔阿姨舅哥姐弟妹老年轻中男士女士先生陌生同伴一起独自单独"
    "早上午下晚傍夜今天昨明时候分钟点半周月年前后刚才正在当时"
)


def common(word: str) -> bool:
    """Whether an English word (lower case) is a common one, inflected or not (shoes, holding, cried)."""
    stems = (word, word[:-1], word[:-2], word[:-3], word[:-2] + "y" if word.endswith("ed") else word)
    return any(stem in COMMON for stem in stems if len(stem) >= 3)
