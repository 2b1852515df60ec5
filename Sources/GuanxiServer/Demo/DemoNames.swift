import Foundation
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Word lists for believable, bilingual demo data. A seeded generator picks from them,
/// so the same seed always gives the same data set.
enum DemoNames {
    static let cities: [(province: String, city: String, districts: [String], area: String)] = [
        ("北京市", "北京市", ["海淀区", "朝阳区", "东城区"], "010"), ("上海市", "上海市", ["浦东新区", "徐汇区", "静安区"], "021"),
        ("广东省", "广州市", ["天河区", "越秀区", "番禺区"], "020"), ("广东省", "深圳市", ["南山区", "福田区", "宝安区"], "0755"),
        ("浙江省", "杭州市", ["西湖区", "滨江区", "余杭区"], "0571"), ("江苏省", "南京市", ["鼓楼区", "江宁区", "玄武区"], "025"),
        ("四川省", "成都市", ["武侯区", "锦江区", "高新区"], "028"), ("湖北省", "武汉市", ["洪山区", "江汉区", "武昌区"], "027"),
        ("陕西省", "西安市", ["雁塔区", "碑林区", "未央区"], "029"), ("山东省", "青岛市", ["市南区", "崂山区", "黄岛区"], "0532"),
    ]
    static let brand = ["星辰", "华信", "远航", "恒通", "金桥", "新禾", "瑞丰", "博远", "天成", "云栖", "鼎盛", "明德", "海纳", "东方", "卓越", "万象", "凯达", "嘉和", "盛世", "长青"]
    static let industries: [(name: String, word: String)] = [
        ("软件", "科技"), ("零售", "商贸"), ("房地产", "置业"), ("银行", "金融服务"), ("物流", "物流"), ("旅游", "旅游"),
        ("教育", "教育科技"), ("制造", "机械制造"), ("烟草", "烟草配送"), ("医药", "医药"),
    ]
    static let legalForms = ["有限公司", "股份有限公司", "集团有限公司"]
    static let englishCompanies = ["Northwind Trading", "Blue Harbor Logistics", "Evergreen Foods", "Summit Software", "Lotus Travel", "Pacific Components"]
    static let englishForms = ["Co., Ltd.", "Ltd.", "Inc."]
    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "欧阳", "司马"]
    static let given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "晓明", "海燕", "建国", "思远", "雨桐"]
    static let pinyin = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "lin", "luo", "gao", "ouyang", "sima"]
    static let englishFirst = ["Emma", "Liam", "Olivia", "Noah", "Sophia", "James", "Mia", "Lucas"]
    static let englishLast = ["Smith", "Brown", "Taylor", "Wilson", "Clark", "Hall"]
    static let titles = ["总经理", "采购经理", "财务总监", "IT 主管", "市场经理", "行政助理", "销售总监", "技术顾问"]
    static let departments = ["总经办", "采购部", "财务部", "信息部", "市场部", "行政部"]
    static let sources = ["展会", "官网", "电话营销", "老客户推荐", "广告", "研讨会"]
    static let tags = ["重点", "年度大单", "华东", "华北", "华南", "续约", "新客户", "高潜力"]
    static let products = ["ERP 升级", "年度采购", "云服务订阅", "设备更新", "培训服务", "维保合同", "数据中心扩容", "营销系统", "Annual licence", "Fleet renewal"]
    static let lossReasons = ["价格偏高", "选择了竞争对手", "预算取消", "需求变化", "决策延期"]
    static let competitors: [(name: String, strengths: String, weaknesses: String)] = [
        ("远图软件", "价格低，本地团队多", "实施周期长，售后响应慢"), ("华信云", "云产品线完整", "定制能力弱"),
        ("Nordic Systems", "Strong brand with multinationals", "Expensive; little local support"), ("启明数据", "数据分析能力强", "行业经验少"),
    ]
    static let unqualifiedReasons = ["无预算", "已有供应商", "联系方式无效", "非目标行业"]
}

/// A small deterministic random generator (SplitMix64), so demo data is repeatable.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    mutating func chance(_ percent: Int) -> Bool { Int(next() % 100) < percent }
    mutating func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(next() % 10)) }) }
}
