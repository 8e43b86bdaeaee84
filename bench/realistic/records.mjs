// E-commerce orders that look like production traffic, for the codec benchmarks' realistic rows:
// product titles mixing Chinese and ASCII (brands, models, specs), Chinese addresses and buyer
// notes from empty to 300+ characters, nicknames with the odd emoji (4-byte UTF-8), 40-50-char
// ASCII URLs, snowflake int64 ids above 2^53, a list of 100 int64 prices, 256-byte thumbnails.
// Every record is drawn fresh from a seeded generator, so a stream never repeats a string, an id
// or a binary, and a run is reproducible. Values are in heddle's shape (camelCase names, int64 as
// bigint, bytes as Uint8Array, maps as plain objects: the Thrift codec takes them with
// `map: 'object'`). Schemas: ecommerce.proto, ecommerce.thrift.

// Common Chinese characters, the bulk of real product text; 3% of characters come from the whole
// CJK Unified Ideographs block instead, as rarer names and words do.
const COMMON =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严首底液官德随病苏失尔死讲配女黄推显谈罪神艺呢席含企望密批营项防举球英氧势告李台落木帮轮破亚师围注远字材排供河态封另施减树溶怎止案言士均武固叶鱼波视仅费紧爱左章早朝害续轻服试食充兵源判护司足某练差致板田降黑犯负击范继兴似余坚曲输修故城夫够送笔船占右财吃富春职觉汉画功巴跟虽杂飞检吸助升阳互初创抗考投坏策古径换未跑留钢曾端责站简述钱副尽帝射草冲承独令限阿宣环双请超微让控州良轴找否纪益依优顶础载倒房突坐粉敌略客袁冷胜绝析块剂测丝协诉念陈仍罗盐友洋错苦夜刑移频逐靠混母短皮终聚汽村云哪既距卫停烈央察烧迅境若印洲刻括激孔搞甚室待核校散侵吧甲游久菜味旧模湖货损预阻毫普稳乙妈植息扩银语挥酒守拿序纸医缺雨吗针刘啊急唱误训愿审附获茶鲜粮斤孩脱硫肥善龙演父渐血欢械掌歌沙刚攻谓盾讨晚粒乱燃矛乎杀药宁鲁贵钟煤读班伯香介迫句丰培握兰担弦蛋沉假穿执答乐谁顺烟缩征脸喜松脚困异免背星福买染井概慢怕磁倍祖皇促静补评翻肉践尼衣宽扬棉希伤操垂秋宜氢套督振架亮末宪庆编牛触映雷销诗座居抓裂胞呼娘景威绿晶厚盟衡鸡孙延危胶屋乡临陆顾掉呀灯岁措束耐剧玉赵跳哥季课凯胡额款绍卷齐伟蒸殖永宗苗川炉岩弱零杨奏沿露杆探滑镇饭浓航怀赶库夺伊灵税途灭赛归召鼓播盘裁险康唯录菌纯借糖盖横符私努堂域枪润幅哈竟熟虫泽脑壤碳欧遍侧寨敢彻虑斜薄庭纳弹饲伸折麦湿暗荷瓦塞床筑恶户访塔奇透梁刀旋迹卡氯遇份毒泥退洗摆灰彩卖耗夏择忙铜献硬予繁圈雪函亦抽篇阵阴丁尺追堆雄迎泛爸楼避谋吨野猪旗累偏典馆索秦脂潮爷豆忽托惊塑遗愈朱替纤粗倾尚痛楚谢奋购磨君池旁碎骨监捕弟暴割贯殊释词亡壁顿宝午尘闻揭炮残冬桥妇警综招吴付浮遭徐您摇谷赞箱隔订男吹园纷唐败宋玻巨耕坦荣闭湾键凡驻锅救恩剥凝碱齿截炼麻纺禁废盛版缓净睛昌婚涉筒嘴插岸朗庄街藏姑贸腐奴啦惯乘伙恢匀纱扎辩耳彪臣亿璃抵脉秀萨俄网舞店喷纵寸汗挂洪贺闪柬爆烯津稻墙软勇像滚厘蒙芳肯坡柱荡腿仪旅尾轧冰贡登黎削钻勒逃障氨郭峰币港伏轨亩毕擦莫刺浪秘援株健售股岛甘泡睡童铸汤阀休汇舍牧绕炸哲磷绩朋淡尖启陷柴呈徒颜泪稍忘泵蓝拖洞授镜辛壮锋贫虚弯摩泰幼廷尊窗纲弄隶疑氏宫姐震瑞怪尤琴循描膜违夹腰缘珠穷森枝竹沟催绳忆邦剩幸浆栏拥牙贮礼滤钠纹罢拍咱喊袖埃勤罚焦潜伍墨欲缝姓刊饱仿奖铝鬼丽跨默挖链扫喝袋炭污幕诸弧励梅奶洁灾舟鉴苯讼抱毁懂寒智埔寄届跃渡挑丹艰贝碰拔爹戴码梦芽熔赤渔哭敬颗奔铅仲虎稀妹乏珍申桌遵允隆螺仓魏锐晓氮兼隐碍赫拨忠肃缸牵抢博巧壳兄杜讯诚碧祥柯页巡矩悲灌龄伦票寻桂铺圣恐恰郑趣抬荒腾贴柔滴猛阔辆妻填撤储签闹扰紫砂递戏吊陶伐喂疗瓶婆抚臂摸忍虾蜡邻胸巩挤偶弃槽劲乳邓吉仁烂砖租乌舰伴瓜浅丙暂燥橡柳迷暖牌秧胆详簧踏瓷谱呆宾糊洛辉愤竞隙怒粘乃绪肩籍敏涂熙皆侦悬掘享纠醒狂锁淀恨牲霸爬赏逆玩陵祝秒浙貌役彼悉鸭趋凤晨畜辈秩卵署梯炎滩棋驱筛峡冒啥寿译浸泉帽迟硅疆贷漏稿冠嫩胁芯牢叛蚀奥鸣岭羊凭串塘绘酵融盆锡庙筹冻辅摄袭筋拒僚旱钾鸟漆沈眉疏添棒穗硝韩逼扭侨凉挺碗栽炒杯患馏劝豪辽勃鸿旦吏拜狗埋辊掩饮搬骂辞勾扣估蒋绒雾丈朵姆拟宇辑陕雕偿蓄崇剪倡厅咬驶薯刷斥番赋奉佛浇漫曼扇钙桃扶仔返俗亏腔鞋棱覆框悄叔撞骗勘旺沸孤吐孟渠屈疾妙惜仰狠胀谐抛霉桑岗嘛衰盗渗脏赖涌甜曹阅肌哩厉烃纬毅昨伪症煮叹钉搭茎笼酷偷弓锥恒杰坑鼻翼纶叙狱逮罐络棚抑膨蔬寺骤穆冶枯册尸凸绅坯牺焰轰欣晋瘦御锭锦丧旬锻垄搜扑邀亭酯迈舒脆酶闲忧酚顽羽涨卸仗陪辟惩杭姚肚捉飘漂昆欺吾郎烷汁呵饰萧雅邮迁燕撒姻赴宴烦债帐斑铃旨醇董饼雏姿拌傅腹妥揉贤拆歪葡胺丢浩徽昂垫挡览贪慰缴汪慌冯诺姜谊凶劣诬耀昏躺盈骑乔溪丛卢抹闷咨刮驾缆悟摘铒掷颇幻柄惠惨佳仇腊窝涤剑瞧堡泼葱罩霍捞胎苍滨俩捅湘砍霞邵萄疯淮遂熊粪烘宿档戈驳嫂裕徙箭捐肠撑晒辨殿莲摊搅酱屏疫哀蔡堵沫皱畅叠阁莱敲辖钩痕坝巷饿祸丘玄溜曰逻彭尝卿妨艇吞韦怨矮歇';
const BRANDS = ['Apple', 'HUAWEI', 'Xiaomi', 'OPPO', 'vivo', 'Nike', 'adidas', 'UNIQLO', 'Lenovo', 'Haier', 'Midea', 'SK-II', 'L\'OREAL', 'Dyson', 'ANTA', 'Li-Ning', 'DJI', 'Sony', 'Canon', 'Estee Lauder'];
const SPECS = ['256GB', '512GB', '1TB', 'XL', 'XXL', 'M', '2024新款', '5G', 'Pro Max', '14英寸', 'i7-13700H', '32G+1T', 'RTX4060', '500ml', '3.8kg', '官方旗舰', '正品保障', '包邮'];
const PROVINCES = ['广东省', '浙江省', '江苏省', '北京市', '上海市', '四川省', '湖北省', '山东省', '福建省', '河南省'];
const CITIES = ['深圳市', '杭州市', '南京市', '朝阳区', '浦东新区', '成都市', '武汉市', '青岛市', '厦门市', '郑州市'];
const DISTRICTS = ['南山区', '西湖区', '鼓楼区', '海淀区', '徐汇区', '武侯区', '洪山区', '市南区', '思明区', '金水区'];
const ATTR_KEYS = ['颜色', '尺码', '容量', '版本', '套餐', '规格', 'Color', 'Size'];
const PLATFORMS = ['ios', 'android', 'web', 'mini-program', 'h5'];
const EMOJI = ['😀', '🎉', '🌸', '🐱', '🔥', '✨', '🍀'];
const PUNCTUATION = '，。！？、；：';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** mulberry32: small, fast, seeded; enough for benchmark values. */
function generator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  /** A length from a long-tailed spread over [lo, hi]: most short, some long. */
  const spread = (lo, hi) => lo + Math.floor((hi - lo) * next() ** 2.2);
  const hanzi = () => (next() < 0.03 ? String.fromCharCode(0x4e00 + int(0, 0x9fa5 - 0x4e00)) : COMMON[int(0, COMMON.length - 1)]);
  const chinese = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += i > 0 && next() < 0.08 ? pick(PUNCTUATION) : hanzi();
    return s;
  };
  const ascii = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[int(0, ALNUM.length - 1)];
    return s;
  };
  const bytes = (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const word = (next() * 4294967296) >>> 0;
      out[i] = word;
      out[i + 1] = word >>> 8;
      out[i + 2] = word >>> 16;
      out[i + 3] = word >>> 24;
    }
    return out;
  };
  /** Snowflake-style ids: millisecond time << 22 | worker | sequence, well above 2^53. */
  const snowflake = () => (BigInt(1_700_000_000_000 + int(0, 60_000_000)) << 22n) | BigInt(int(0, (1 << 22) - 1));
  return { next, int, pick, spread, chinese, ascii, bytes, snowflake };
}

function title(g) {
  const target = g.spread(6, 120);
  let s = next(g, '');
  while (s.length < target) s = next(g, s);
  return s.slice(0, target);
  function next(gen, prefix) {
    const part = gen.next();
    if (part < 0.25) return `${prefix}${gen.pick(BRANDS)} `;
    if (part < 0.45) return `${prefix}${gen.pick(SPECS)} `;
    return prefix + gen.chinese(gen.int(2, 8));
  }
}

function nickname(g) {
  const kind = g.next();
  if (kind < 0.4) return g.chinese(g.int(2, 6));
  if (kind < 0.7) return `${g.ascii(g.int(3, 10))}_${g.int(1, 9999)}`;
  return g.chinese(g.int(1, 4)) + g.pick(EMOJI) + g.ascii(g.int(0, 4));
}

function note(g) {
  if (g.next() < 0.4) return '';
  const length = g.spread(1, 320);
  let s = '';
  while (s.length < length) s += g.next() < 0.85 ? g.chinese(g.int(4, 20)) : ` ${g.ascii(g.int(2, 12))} `;
  return s.slice(0, length);
}

function item(g) {
  const attrs = {};
  for (let i = g.int(1, 4); i > 0; i--) attrs[g.pick(ATTR_KEYS)] = g.next() < 0.6 ? g.chinese(g.int(2, 10)) : g.pick(SPECS);
  const price = BigInt(g.int(99, 999_999));
  return {
    skuId: g.snowflake(),
    title: title(g),
    priceCents: price,
    quantity: g.int(1, 5),
    attrs,
    imageUrl: `https://img.alicdn.example/i${g.int(1, 4)}/${g.int(2200000000, 2299999999)}/O1CN01${g.ascii(g.int(10, 18))}.jpg`,
    thumbnail: g.bytes(256),
    tags: Array.from({ length: g.int(0, 5) }, () => (g.next() < 0.7 ? g.chinese(g.int(2, 4)) : g.ascii(g.int(3, 8)))),
  };
}

/** One order, drawn from `g`. */
function order(g) {
  const items = Array.from({ length: g.spread(1, 8) }, () => item(g));
  const base = g.int(1999, 99_999);
  return {
    orderId: g.snowflake(),
    buyerId: g.snowflake(),
    buyerNick: nickname(g),
    address: {
      receiver: g.chinese(g.int(2, 3)),
      phone: `1${g.int(30, 99)}****${String(g.int(0, 9999)).padStart(4, '0')}`,
      province: g.pick(PROVINCES),
      city: g.pick(CITIES),
      district: g.pick(DISTRICTS),
      detail: `${g.chinese(g.int(2, 6))}路${g.int(1, 999)}号${g.chinese(g.int(2, 8))}${g.int(1, 30)}栋${g.int(101, 3208)}室`,
      zip: String(g.int(100000, 859999)),
    },
    items,
    buyerNote: note(g),
    priceHistory: Array.from({ length: 100 }, () => BigInt(base + g.int(-1500, 1500))),
    totalCents: items.reduce((sum, it) => sum + it.priceCents * BigInt(it.quantity), 0n),
    createdAt: BigInt(1_700_000_000_000 + g.int(0, 60_000_000_000)),
    platform: g.pick(PLATFORMS),
    signature: g.bytes(64),
    trackingNo: `SF${g.int(1000000000, 9999999999)}${g.int(100, 999)}`,
  };
}

/** `count` distinct orders, the same ones for the same `seed`. */
export function orders(count, seed = 20261206) {
  const g = generator(seed);
  return Array.from({ length: count }, () => order(g));
}

/** Strings of the given UTF-8 byte length, drawn from the generator: Chinese text (3 bytes a
 * character, so the length is rounded down to a multiple of 3) or ASCII. */
export function texts(count, kind, byteLength, seed = 7) {
  const g = generator(seed);
  return Array.from({ length: count }, () => (kind === 'chinese' ? g.chinese(Math.floor(byteLength / 3)).replace(/[，。！？、；：]/g, '的') : g.ascii(byteLength)));
}

/** What a stream of orders holds: for the benchmark tables. */
export function describe(list, encodedLengths) {
  const strings = [];
  const walk = (v) => {
    if (typeof v === 'string') strings.push(Buffer.byteLength(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) Object.values(v).forEach(walk);
  };
  for (const o of list) walk(o);
  strings.sort((a, b) => a - b);
  const nonAscii = list.reduce((n, o) => n + (/[^\x00-\x7f]/.test(o.items[0].title) ? 1 : 0), 0);
  const mean = encodedLengths.reduce((a, b) => a + b, 0) / encodedLengths.length;
  return `${list.length} orders, ${Math.round(mean)} bytes each on average; string UTF-8 lengths p50 ${strings[strings.length >> 1]} / p90 ${strings[Math.floor(strings.length * 0.9)]} / max ${strings.at(-1)}; ${Math.round((nonAscii / list.length) * 100)}% of first titles non-ASCII`;
}
