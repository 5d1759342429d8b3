/*
 * cxkit report: one self-contained HTML file with inline SVG charts (see
 * tools/cxkit_svg.h), in English or Arabic (right to left).
 *
 * Every figure is the table of one cxkit analysis command, run in this
 * process on the store loaded once (analysis_capture() in
 * cxkit_analysis.c), and the figure names that command: what the report
 * shows is exactly what `cxkit ... --format json` prints. A part that cannot
 * be computed says why in its place; the file is written whole or not at
 * all. The page has no script, no external resource and no web font; all
 * text from the data is escaped (sb_esc).
 */
#define _XOPEN_SOURCE 700
#include "cxkit_cli.h"
#include "cxkit_svg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- words ----------------------------------------------------------------- */

enum msg {
    M_TITLE, M_SUBTITLE, M_RECORDS_TO, M_OFFSET, M_HEADLINE, M_NPS, M_CSAT, M_CES, M_FCR, M_NPS_NOTE, M_CSAT_NOTE,
    M_CES_NOTE, M_FCR_NOTE, M_INTERVAL, M_N, M_SMALL, M_SMALL_NOTE, M_NO_DATA, M_UNAVAILABLE, M_COMMAND,
    M_TREND, M_TREND_INTRO, M_CHANNELS, M_CHANNELS_INTRO, M_TOUCHPOINTS, M_TOUCHPOINTS_INTRO, M_BY_CHANNEL,
    M_JOURNEYS, M_JOURNEYS_INTRO, M_FUNNEL, M_FUNNEL_NOTE, M_SANKEY, M_SANKEY_NOTE, M_ATTRIBUTION,
    M_ATTRIBUTION_NOTE, M_MARKOV, M_FIRST, M_LAST, M_LINEAR, M_DECAY, M_POSITION, M_PAIN, M_PAIN_INTRO,
    M_PAIN_SCORE, M_TOUCHPOINT, M_CHANNEL, M_STAGE, M_SCORE, M_JOURNEY_COUNT, M_REASON, M_RANK, M_RETENTION,
    M_RETENTION_INTRO, M_COHORTS, M_SURVIVAL, M_SURVIVAL_NOTE, M_DAYS, M_GROUP, M_SUBJECTS, M_CHURNED,
    M_AGENTS, M_AGENTS_INTRO, M_AGENT_FCR, M_AGENT, M_CONTACTS, M_HANDLE_MIN, M_NO_AGENT, M_NONE, M_SIGNALS,
    M_CARE, M_CARE_INTRO, M_CUSTOMER, M_KIND, M_PRIORITY, M_WHEN, M_FOOTER, M_SIG_DROP, M_SIG_POST, M_SIG_DET,
    M_SIG_CSAT, M_SIG_CES, M_SIG_REPEAT, M_VS_ELSEWHERE, M_KEY_TOUCHPOINT, M_NO_SIGNAL, M_CARE_DET,
    M_CARE_REPEAT, M_CARE_SLA, M_CARE_EFFORT, M_CARE_DROP, M_CARE_ALIVE, M_OF_FIRST, M_LEGEND_PERIOD,
    M_CONTENTS, M_VOICE, M_VOICE_INTRO, M_VOICE_LINE, M_THEME, M_LOW_SHARE, M_HIGH_SHARE, M_Z, M_EXAMPLE,
    M_NO_THEME, M_EVIDENCE, M_SURV_SECTION, M_SURV_INTRO, M_AT_RISK, M_MEDIAN_LIFE, M_CI95, M_NOT_REACHED,
    M_LOGRANK, M_LOGRANK_DIFF, M_LOGRANK_SAME, M_LOGRANK_SMALL, M_CHI2, M_DF, M_P, M_LIFECYCLE, M_LIFECYCLE_NOTE,
    M_NEW, M_RETURNING, M_RESURRECTING, M_DORMANT, M_ACTIVE, M_QUICK, M_PERIOD, M_STICKINESS, M_STICKINESS_NOTE,
    M_DAYS1, M_DAYS2, M_DAYS3, M_COX, M_COX_NOTE, M_TERM, M_HR, M_COX_SHORTER, M_COX_LONGER, M_COX_NONE,
    M_REFERENCE, M_COX_SHORTER_NUM, M_COX_LONGER_NUM, M_COX_TERMS, M_COUNT
};

static const char *const words_en[M_COUNT] = {
    [M_TITLE] = "Customer experience report",
    [M_SUBTITLE] = "Database",
    [M_RECORDS_TO] = "records from %s to %s",
    [M_OFFSET] = "dates in UTC%s",
    [M_HEADLINE] = "Headline",
    [M_NPS] = "NPS",
    [M_CSAT] = "CSAT",
    [M_CES] = "CES",
    [M_FCR] = "FCR",
    [M_NPS_NOTE] = "Net Promoter Score: % promoters (9-10) minus % detractors (0-6)",
    [M_CSAT_NOTE] = "% of satisfaction answers in the top two of the scale",
    [M_CES_NOTE] = "Customer Effort Score: mean answer (higher is easier)",
    [M_FCR_NOTE] = "% of cases resolved at the first contact",
    [M_INTERVAL] = "95 % interval",
    [M_N] = "n",
    [M_SMALL] = "small sample",
    [M_SMALL_NOTE] = "small sample (n < 30): read with care",
    [M_NO_DATA] = "No data for this chart.",
    [M_UNAVAILABLE] = "Not available",
    [M_COMMAND] = "The numbers:",
    [M_TREND] = "Trend by month",
    [M_TREND_INTRO] = "Each point is a month; the band is its 95 % confidence interval. Light points rest on fewer than 30 answers.",
    [M_CHANNELS] = "By channel",
    [M_CHANNELS_INTRO] = "Whiskers show the 95 % confidence interval; the sample size is beside each bar.",
    [M_TOUCHPOINTS] = "CSAT by touchpoint",
    [M_TOUCHPOINTS_INTRO] = "The 15 touchpoints with the most CSAT answers, the lowest first.",
    [M_BY_CHANNEL] = "by channel",
    [M_JOURNEYS] = "Journeys",
    [M_JOURNEYS_INTRO] = "A journey is one customer's interactions in time order; a purchase keeps its delivery, onboarding and support.",
    [M_FUNNEL] = "Funnel",
    [M_FUNNEL_NOTE] = "Journeys reaching each step in order, within 90 days of the first step: how many, their share of the first step and (↘) of the step before.",
    [M_SANKEY] = "Journey flow of the top paths",
    [M_SANKEY_NOTE] = "The 10 most frequent paths: each column is a position in the path; widths are journeys.",
    [M_ATTRIBUTION] = "Attribution by channel",
    [M_ATTRIBUTION_NOTE] = "Conversions credited to each channel: the Markov removal effect beside the heuristics.",
    [M_MARKOV] = "Markov",
    [M_FIRST] = "First touch",
    [M_LAST] = "Last touch",
    [M_LINEAR] = "Linear",
    [M_DECAY] = "Time decay",
    [M_POSITION] = "U-shaped",
    [M_PAIN] = "Pain points",
    [M_PAIN_INTRO] = "Touchpoints where outcomes are significantly worse than elsewhere (two-proportion z test, p < 0.05), the first to fix first.",
    [M_PAIN_SCORE] = "Pain-point score (percentage points worse than elsewhere)",
    [M_TOUCHPOINT] = "Touchpoint",
    [M_CHANNEL] = "Channel",
    [M_STAGE] = "Stage",
    [M_SCORE] = "Score",
    [M_JOURNEY_COUNT] = "Journeys",
    [M_REASON] = "Why",
    [M_RANK] = "#",
    [M_RETENTION] = "Retention by cohort",
    [M_RETENTION_INTRO] = "Customers still active, by the month of their first activity (rows) and the months since (columns).",
    [M_COHORTS] = "Retention by cohort (%)",
    [M_SURVIVAL] = "Survival by segment",
    [M_SURVIVAL_NOTE] = "Kaplan-Meier: the share of customers not yet churned (180 days without activity), with 95 % bands.",
    [M_DAYS] = "days since the first activity",
    [M_GROUP] = "Group",
    [M_SUBJECTS] = "Customers",
    [M_CHURNED] = "Churned",
    [M_AGENTS] = "Agent performance",
    [M_AGENTS_INTRO] = "Per agent over the whole period: cases, handle time, first contact resolution and satisfaction.",
    [M_AGENT_FCR] = "First contact resolution by agent (%)",
    [M_AGENT] = "Agent",
    [M_CONTACTS] = "Contacts",
    [M_HANDLE_MIN] = "Handle time (min)",
    [M_NO_AGENT] = "(no agent)",
    [M_NONE] = "(none)",
    [M_SIGNALS] = "Signals",
    [M_CARE] = "Proactive care",
    [M_CARE_INTRO] = "Customers to contact now, the most urgent first (the top 20).",
    [M_CUSTOMER] = "Customer",
    [M_KIND] = "Reason",
    [M_PRIORITY] = "Priority",
    [M_WHEN] = "Since",
    [M_FOOTER] = "Made by cxkit %s from the database itself: every figure names the command that prints its numbers.",
    [M_SIG_DROP] = "drop-off after it",
    [M_SIG_POST] = "no later conversion after it (post-purchase)",
    [M_SIG_DET] = "detractors",
    [M_SIG_CSAT] = "CSAT outside the top two",
    [M_SIG_CES] = "effortful CES answers",
    [M_SIG_REPEAT] = "followed by a repeat contact",
    [M_VS_ELSEWHERE] = "vs %s elsewhere",
    [M_KEY_TOUCHPOINT] = "key touchpoint",
    [M_NO_SIGNAL] = "no signal significantly worse than the other touchpoints",
    [M_CARE_DET] = "detractor after a case",
    [M_CARE_REPEAT] = "repeated contacts",
    [M_CARE_SLA] = "SLA breached",
    [M_CARE_EFFORT] = "high effort",
    [M_CARE_DROP] = "drop in activity",
    [M_CARE_ALIVE] = "valuable, likely lost",
    [M_OF_FIRST] = "of the first step",
    [M_LEGEND_PERIOD] = "months since the first activity",
    [M_CONTENTS] = "Contents",
    [M_VOICE] = "What customers write",
    [M_VOICE_INTRO] = "The words and phrases the detractors of the first pain point use more than its promoters (weighted log-odds ratio with an informative Dirichlet prior: the larger z, the stronger the evidence), Arabic and English alike, with an example comment.",
    [M_VOICE_LINE] = "%s %% of the detractors of %s write \u201c%s\u201d; %s %% of its promoters do.",
    [M_THEME] = "Word or phrase",
    [M_LOW_SHARE] = "Detractors' comments",
    [M_HIGH_SHARE] = "Promoters' comments",
    [M_Z] = "z",
    [M_EXAMPLE] = "For example",
    [M_NO_THEME] = "No word sets the detractors of this touchpoint apart from its promoters.",
    [M_EVIDENCE] = "%s %% of its detractors write \u201c%s\u201d",
    [M_SURV_SECTION] = "Survival: how long customers stay",
    [M_SURV_INTRO] = "A customer churns after 180 days without a purchase or an inbound contact; the others are still customers at the end of the data. Every curve starts at 100 % on the first day.",
    [M_AT_RISK] = "Customers at risk",
    [M_MEDIAN_LIFE] = "Median lifetime (days)",
    [M_CI95] = "95\u00a0% CI",
    [M_NOT_REACHED] = "not reached",
    [M_LOGRANK] = "Do the groups differ?",
    [M_LOGRANK_DIFF] = "Yes: the survival curves of the %s groups differ; a gap this large would arise by chance with probability %s (log-rank test).",
    [M_LOGRANK_SAME] = "No clear difference: the survival curves of the %s groups could differ this much by chance (%s, log-rank test).",
    [M_LOGRANK_SMALL] = "Caution: the smallest group has %s customers, %s of whom churned; with so few, the test is approximate.",
    [M_CHI2] = "χ²",
    [M_DF] = "df",
    [M_P] = "p",
    [M_LIFECYCLE] = "Lifecycle per month",
    [M_LIFECYCLE_NOTE] = "Active customers each month: new (their first month), returning (active the month before too) and resurrecting (back after a gap); below the line, the dormant: active the month before, not in this one. The table: the last six months; quick ratio = (new + resurrecting) / dormant, above 1 the base grows.",
    [M_NEW] = "New",
    [M_RETURNING] = "Returning",
    [M_RESURRECTING] = "Resurrecting",
    [M_DORMANT] = "Dormant",
    [M_ACTIVE] = "Active",
    [M_QUICK] = "Quick ratio",
    [M_PERIOD] = "Month",
    [M_STICKINESS] = "Stickiness: active days per month",
    [M_STICKINESS_NOTE] = "The share of each month's active customers active on 1, 2, or 3 and more distinct days (the last six months).",
    [M_DAYS1] = "1 day",
    [M_DAYS2] = "2 days",
    [M_DAYS3] = "3+ days",
    [M_COX] = "What shortens the time to churn",
    [M_COX_NOTE] = "Cox proportional hazards, all factors together: a hazard ratio above 1 means churn comes sooner than for the reference level (1.5: half as likely again to churn at any time), below 1 later.",
    [M_TERM] = "Factor",
    [M_HR] = "Hazard ratio",
    [M_COX_SHORTER] = "The strongest significant factor is %s: customers with it churn %s times as fast as the reference (95 %% CI %s, %s).",
    [M_COX_LONGER] = "No significant factor shortens the time to churn; the strongest one that lengthens it is %s: customers with it churn %s times as fast as the reference (95 %% CI %s, %s).",
    [M_COX_NONE] = "No factor changes the time to churn significantly (p < 0.05).",
    [M_REFERENCE] = "reference levels: %s",
    [M_COX_SHORTER_NUM] = "The strongest significant factor is %s: each unit more of it multiplies the rate of churn by %s (95 %% CI %s, %s).",
    [M_COX_LONGER_NUM] = "No significant factor shortens the time to churn; the strongest one that lengthens it is %s: each unit more of it multiplies the rate of churn by %s (95 %% CI %s, %s).",
    [M_COX_TERMS] = "A factor \"name=level\" compares that level with the reference level; the service signals change over time: at each churn, every customer is compared on what had happened to it by then: detractor 1 once it gave an NPS answer of 0 to 6, cases opened so far, resolution_hours the mean hours to resolve those resolved so far, reopens of its cases so far; their ratio is per unit (one more case, hour, reopen).",
};

static const char *const words_ar[M_COUNT] = {
    [M_TITLE] = "تقرير تجربة العملاء",
    [M_SUBTITLE] = "قاعدة البيانات",
    [M_RECORDS_TO] = "السجلات من %s إلى %s",
    [M_OFFSET] = "التواريخ بتوقيت UTC%s",
    [M_HEADLINE] = "المؤشرات الرئيسية",
    [M_NPS] = "صافي نقاط الترويج NPS",
    [M_CSAT] = "رضا العملاء CSAT",
    [M_CES] = "سهولة التعامل CES",
    [M_FCR] = "الحل من أول تواصل FCR",
    [M_NPS_NOTE] = "نسبة المروّجين (9-10) ناقص نسبة المنتقدين (0-6)",
    [M_CSAT_NOTE] = "نسبة إجابات الرضا في أعلى درجتين من المقياس",
    [M_CES_NOTE] = "متوسط الإجابة (الأعلى أسهل)",
    [M_FCR_NOTE] = "نسبة الحالات المحلولة من أول تواصل",
    [M_INTERVAL] = "فاصل ثقة 95٪",
    [M_N] = "العدد",
    [M_SMALL] = "عينة صغيرة",
    [M_SMALL_NOTE] = "عينة صغيرة (أقل من 30): تُقرأ بحذر",
    [M_NO_DATA] = "لا توجد بيانات لهذا الرسم.",
    [M_UNAVAILABLE] = "غير متاح",
    [M_COMMAND] = "الأرقام:",
    [M_TREND] = "الاتجاه الشهري",
    [M_TREND_INTRO] = "كل نقطة شهر، والشريط حولها فاصل الثقة 95٪. النقاط الباهتة مبنية على أقل من 30 إجابة.",
    [M_CHANNELS] = "حسب القناة",
    [M_CHANNELS_INTRO] = "الخطوط تبيّن فاصل الثقة 95٪، وحجم العينة بجانب كل عمود.",
    [M_TOUCHPOINTS] = "رضا العملاء حسب نقطة التواصل",
    [M_TOUCHPOINTS_INTRO] = "نقاط التواصل الخمس عشرة الأكثر إجابات، الأدنى رضا أولاً.",
    [M_BY_CHANNEL] = "حسب القناة",
    [M_JOURNEYS] = "رحلات العملاء",
    [M_JOURNEYS_INTRO] = "الرحلة تفاعلات العميل بترتيبها الزمني، ويبقى مع الشراء ما يتبعه من توصيل وتفعيل ودعم.",
    [M_FUNNEL] = "قمع التحويل",
    [M_FUNNEL_NOTE] = "الرحلات التي بلغت كل خطوة بالترتيب خلال 90 يوماً من الخطوة الأولى: عددها، ونسبتها من الخطوة الأولى، و(↘) من الخطوة السابقة.",
    [M_SANKEY] = "تدفق الرحلات في أكثر المسارات تكراراً",
    [M_SANKEY_NOTE] = "المسارات العشرة الأكثر تكراراً: كل عمود موضع في المسار، والعرض عدد الرحلات.",
    [M_ATTRIBUTION] = "إسناد التحويلات حسب القناة",
    [M_ATTRIBUTION_NOTE] = "التحويلات المنسوبة إلى كل قناة: أثر الإزالة في نموذج ماركوف بجانب القواعد التقريبية.",
    [M_MARKOV] = "ماركوف",
    [M_FIRST] = "أول تفاعل",
    [M_LAST] = "آخر تفاعل",
    [M_LINEAR] = "خطي",
    [M_DECAY] = "تناقص زمني",
    [M_POSITION] = "على شكل U",
    [M_PAIN] = "نقاط الألم",
    [M_PAIN_INTRO] = "نقاط التواصل التي تسوء فيها النتائج أكثر من غيرها بدلالة إحصائية (اختبار z للنسبتين، p < 0.05)، الأولى بالإصلاح أولاً.",
    [M_PAIN_SCORE] = "درجة الألم (نقاط مئوية أسوأ من غيرها)",
    [M_TOUCHPOINT] = "نقطة التواصل",
    [M_CHANNEL] = "القناة",
    [M_STAGE] = "المرحلة",
    [M_SCORE] = "الدرجة",
    [M_JOURNEY_COUNT] = "الرحلات",
    [M_REASON] = "السبب",
    [M_RANK] = "الترتيب",
    [M_RETENTION] = "الاحتفاظ حسب الفوج",
    [M_RETENTION_INTRO] = "العملاء الذين ما زالوا نشطين، حسب شهر أول نشاط (الصفوف) والأشهر التي تلته (الأعمدة).",
    [M_COHORTS] = "الاحتفاظ حسب الفوج (٪)",
    [M_SURVIVAL] = "منحنيات البقاء حسب الشريحة",
    [M_SURVIVAL_NOTE] = "كابلان-ماير: نسبة العملاء الذين لم يتوقفوا بعد (180 يوماً بلا نشاط)، مع نطاق ثقة 95٪.",
    [M_DAYS] = "الأيام منذ أول نشاط",
    [M_GROUP] = "الشريحة",
    [M_SUBJECTS] = "العملاء",
    [M_CHURNED] = "المتوقفون",
    [M_AGENTS] = "أداء الموظفين",
    [M_AGENTS_INTRO] = "لكل موظف طوال المدة: الحالات ومدة المعالجة والحل من أول تواصل والرضا.",
    [M_AGENT_FCR] = "الحل من أول تواصل حسب الموظف (٪)",
    [M_AGENT] = "الموظف",
    [M_CONTACTS] = "التواصلات",
    [M_HANDLE_MIN] = "مدة المعالجة (دقائق)",
    [M_NO_AGENT] = "(بلا موظف)",
    [M_NONE] = "(غير محدد)",
    [M_SIGNALS] = "المؤشرات",
    [M_CARE] = "الرعاية الاستباقية",
    [M_CARE_INTRO] = "عملاء ينبغي التواصل معهم الآن، الأكثر إلحاحاً أولاً (أول 20).",
    [M_CUSTOMER] = "العميل",
    [M_KIND] = "السبب",
    [M_PRIORITY] = "الأولوية",
    [M_WHEN] = "منذ",
    [M_FOOTER] = "أعدّه cxkit %s من قاعدة البيانات نفسها: كل رسم يذكر الأمر الذي يطبع أرقامه.",
    [M_SIG_DROP] = "انقطاع بعدها",
    [M_SIG_POST] = "لا شراء لاحقاً بعدها (ما بعد الشراء)",
    [M_SIG_DET] = "منتقدون",
    [M_SIG_CSAT] = "رضا خارج أعلى درجتين",
    [M_SIG_CES] = "إجابات جهد مرتفع",
    [M_SIG_REPEAT] = "يتبعها تواصل متكرر",
    [M_VS_ELSEWHERE] = "مقابل %s في غيرها",
    [M_KEY_TOUCHPOINT] = "نقطة تواصل رئيسية",
    [M_NO_SIGNAL] = "لا مؤشر أسوأ بدلالة إحصائية من نقاط التواصل الأخرى",
    [M_CARE_DET] = "منتقد بعد حالة",
    [M_CARE_REPEAT] = "تواصل متكرر",
    [M_CARE_SLA] = "تجاوز اتفاقية مستوى الخدمة",
    [M_CARE_EFFORT] = "جهد مرتفع",
    [M_CARE_DROP] = "تراجع النشاط",
    [M_CARE_ALIVE] = "عميل قيّم مرجّح فقدانه",
    [M_OF_FIRST] = "من الخطوة الأولى",
    [M_LEGEND_PERIOD] = "الأشهر منذ أول نشاط",
    [M_CONTENTS] = "المحتويات",
    [M_VOICE] = "ماذا يكتب العملاء",
    [M_VOICE_INTRO] = "الكلمات والعبارات التي يستعملها المنتقدون في نقطة الألم الأولى أكثر من المروّجين (نسبة الأرجحية اللوغاريتمية الموزونة مع توزيع ديريكليه مسبق: كلما كبرت z قوي الدليل)، بالعربية والإنجليزية، مع تعليق مثال.",
    [M_VOICE_LINE] = "%s %% من المنتقدين في %s يكتبون «%s»، مقابل %s %% من المروّجين.",
    [M_THEME] = "الكلمة أو العبارة",
    [M_LOW_SHARE] = "تعليقات المنتقدين",
    [M_HIGH_SHARE] = "تعليقات المروّجين",
    [M_Z] = "z",
    [M_EXAMPLE] = "مثال",
    [M_NO_THEME] = "لا كلمة تميّز المنتقدين في نقطة التواصل هذه عن المروّجين.",
    [M_EVIDENCE] = "%s %% من منتقديها يكتبون «%s»",
    [M_SURV_SECTION] = "البقاء: كم يبقى العملاء",
    [M_SURV_INTRO] = "يُعدّ العميل متوقفاً بعد 180 يوماً بلا شراء ولا تواصل وارد منه، والباقون ما زالوا عملاء في نهاية البيانات. كل منحنى يبدأ من 100٪ في اليوم الأول.",
    [M_AT_RISK] = "العملاء المعرّضون للتوقف",
    [M_MEDIAN_LIFE] = "وسيط مدة البقاء (أيام)",
    [M_CI95] = "فاصل الثقة\u00a095٪",
    [M_NOT_REACHED] = "لم يُبلغ",
    [M_LOGRANK] = "هل تختلف المجموعات؟",
    [M_LOGRANK_DIFF] = "نعم: منحنيات البقاء لمجموعات %s مختلفة، واحتمال أن يظهر فرق بهذا الحجم صدفةً %s (اختبار log-rank).",
    [M_LOGRANK_SAME] = "لا فرق واضح: قد تختلف منحنيات البقاء لمجموعات %s بهذا القدر صدفةً (%s، اختبار log-rank).",
    [M_LOGRANK_SMALL] = "تنبيه: أصغر مجموعة فيها %s عميلاً توقف منهم %s، ومع هذا العدد القليل تكون نتيجة الاختبار تقريبية.",
    [M_CHI2] = "χ²",
    [M_DF] = "درجات الحرية",
    [M_P] = "p",
    [M_LIFECYCLE] = "دورة حياة العملاء شهرياً",
    [M_LIFECYCLE_NOTE] = "العملاء النشطون كل شهر: جدد (شهرهم الأول)، ومستمرون (نشطون في الشهر السابق أيضاً)، وعائدون (رجعوا بعد انقطاع)؛ وتحت الخط الخاملون: نشطون في الشهر السابق لا في هذا. الجدول للأشهر الستة الأخيرة، والنسبة السريعة = (الجدد + العائدون) ÷ الخاملين، وفوق 1 تنمو القاعدة.",
    [M_NEW] = "جدد",
    [M_RETURNING] = "مستمرون",
    [M_RESURRECTING] = "عائدون",
    [M_DORMANT] = "خاملون",
    [M_ACTIVE] = "النشطون",
    [M_QUICK] = "النسبة السريعة",
    [M_PERIOD] = "الشهر",
    [M_STICKINESS] = "الالتصاق: أيام النشاط في الشهر",
    [M_STICKINESS_NOTE] = "نسبة النشطين في كل شهر الذين نشطوا في يوم واحد أو يومين أو ثلاثة أيام فأكثر (الأشهر الستة الأخيرة).",
    [M_DAYS1] = "يوم واحد",
    [M_DAYS2] = "يومان",
    [M_DAYS3] = "3 أيام فأكثر",
    [M_COX] = "ما الذي يقصّر مدة بقاء العميل",
    [M_COX_NOTE] = "نموذج كوكس للمخاطر النسبية بكل العوامل معاً: نسبة خطر فوق 1 تعني توقفاً أبكر من المستوى المرجعي (1.5: احتمال التوقف في أي وقت أعلى بالنصف)، وتحت 1 توقفاً أبطأ.",
    [M_TERM] = "العامل",
    [M_HR] = "نسبة الخطر",
    [M_COX_SHORTER] = "أقوى عامل دال إحصائياً هو %s: يتوقف أصحابه بمعدل %s ضعف المستوى المرجعي (فاصل الثقة 95٪ %s، %s).",
    [M_COX_LONGER] = "لا عامل دالاً يقصّر مدة البقاء، وأقوى عامل يطيلها %s: يتوقف أصحابه بمعدل %s ضعف المستوى المرجعي (فاصل الثقة 95٪ %s، %s).",
    [M_COX_NONE] = "لا عامل يغيّر مدة البقاء بدلالة إحصائية (p < 0.05).",
    [M_REFERENCE] = "المستويات المرجعية: %s",
    [M_COX_SHORTER_NUM] = "أقوى عامل دال إحصائياً هو %s: كل وحدة زائدة منه تضرب معدل التوقف في %s (فاصل الثقة 95٪ %s، %s).",
    [M_COX_LONGER_NUM] = "لا عامل دالاً يقصّر مدة البقاء، وأقوى عامل يطيلها %s: كل وحدة زائدة منه تضرب معدل التوقف في %s (فاصل الثقة 95٪ %s، %s).",
    [M_COX_TERMS] = "العامل «الاسم=المستوى» يقارن ذلك المستوى بالمستوى المرجعي؛ ومؤشرات الخدمة تتغير مع الزمن: عند كل توقف يُقارَن كل عميل بما حدث له حتى تلك اللحظة: detractor يساوي 1 منذ أن أعطى إجابة NPS من 0 إلى 6، وcases الحالات المفتوحة حتى حينه، وresolution_hours متوسط ساعات حلّ ما حُلّ منها، وreopens مرات إعادة فتح حالاته؛ ونسبتها لكل وحدة (حالة أو ساعة أو إعادة فتح إضافية).",
};

/* ---- the report being written ------------------------------------------- */

typedef struct report {
    sbuf h;                     /* the page */
    svg_ctx ctx;
    const char *const *w;       /* words */
    bool ar;
    cx_store *s;
    const char *db;
    const char *offset, *as_of, *by, *title;
    const char **steps;
    size_t nsteps;
    int usage_rc;               /* an option the analyses refused */
    int parts_failed;
    /* the headline, for standard output */
    double head[4], head_lo[4], head_hi[4], head_n[4];
    char first_pain[512];
    char pain_tp[256]; /* the touchpoint of the first pain point, for the themes */
} report;

static const char *W(const report *r, enum msg m) { return r->w[m]; }

/* The index of a named column, or -1. */
static int colx(const out_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->names[c], name) == 0)
            return (int)c;
    return -1;
}

static double num(out_table *t, size_t row, int col)
{
    return col < 0 || row >= t->nrow ? NAN : out_number(out_at(t, row, (size_t)col));
}

static const char *txt(out_table *t, size_t row, int col)
{
    if (col < 0 || row >= t->nrow)
        return NULL;
    const out_cell *c = out_at(t, row, (size_t)col);
    return c->type == CELL_TEXT ? c->v.text : NULL;
}

static double numn(out_table *t, size_t row, const char *name) { return num(t, row, colx(t, name)); }

/* A column as doubles (NaN where missing), or NULL when out of memory. */
static double *column(out_table *t, const char *name)
{
    double *v = malloc((t->nrow ? t->nrow : 1) * sizeof *v);
    if (!v)
        return NULL;
    int c = colx(t, name);
    for (size_t i = 0; i < t->nrow; i++)
        v[i] = num(t, i, c);
    return v;
}

/* A 0/1 column as flags (NULL when out of memory). */
static unsigned char *flags(out_table *t, const char *name)
{
    unsigned char *v = calloc(t->nrow ? t->nrow : 1, 1);
    if (!v)
        return NULL;
    int c = colx(t, name);
    for (size_t i = 0; i < t->nrow; i++)
        v[i] = num(t, i, c) == 1;
    return v;
}

/* A text column (pointers into the table; "" where missing). */
static const char **texts(out_table *t, const char *name, const char *missing)
{
    const char **v = malloc((t->nrow ? t->nrow : 1) * sizeof *v);
    if (!v)
        return NULL;
    int c = colx(t, name);
    for (size_t i = 0; i < t->nrow; i++) {
        const char *s = txt(t, i, c);
        v[i] = s && *s ? s : missing;
    }
    return v;
}

/* ---- running the analyses ------------------------------------------------ */

enum { AS_OF = 1, OFFSET = 2 };

/* Runs `cxkit NAME DB ARGS... --format json` into `t` and writes the
 * command into `cmd` (for the figure's caption). Returns the exit status;
 * on failure the part says why (from last_message). */
static int run(report *r, out_table *t, sbuf *cmd, int takes, const char *name, const char *const *args)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = r->db;
    sb_printf(cmd, "cxkit %s ", name);
    sb_puts(cmd, strchr(r->db, ' ') ? "'DB'" : r->db);
    for (size_t i = 0; args && args[i] && argc < 56; i++) {
        argv[argc++] = args[i];
        sb_printf(cmd, strchr(args[i], ' ') ? " '%s'" : " %s", args[i]);
    }
    if ((takes & AS_OF) && r->as_of) {
        argv[argc++] = "--as-of";
        argv[argc++] = r->as_of;
        sb_printf(cmd, " --as-of %s", r->as_of);
    }
    if ((takes & OFFSET) && r->offset) {
        argv[argc++] = "--offset";
        argv[argc++] = r->offset;
        sb_printf(cmd, " --offset %s", r->offset);
    }
    argv[argc++] = "--format";
    argv[argc++] = "json";
    argv[argc] = NULL;
    int rc = analysis_capture(t, r->s, name, argc, (char **)argv);
    if (rc == EXIT_USAGE && !r->usage_rc)
        r->usage_rc = rc;
    if (rc != EXIT_DONE)
        r->parts_failed++;
    return rc;
}

/* ---- page parts ---------------------------------------------------------- */

static void esc(report *r, const char *s) { sb_esc(&r->h, s ? s : "", (size_t)-1); }

/* Escapes a text whose parts between \x01 and \x02 are isolated from the
 * text around them (<bdi>): a word of customers in another direction than
 * the sentence keeps the sentence's order. Between \x03 and \x02 the part
 * is isolated left to right: numbers and signs with no letter to set a
 * direction ("1.91 … 2.61", "p < 0.001") stay in reading order in Arabic. */
static void esc_isolated(report *r, const char *s)
{
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "\x01\x02\x03");
        sb_esc(&r->h, p, n);
        p += n;
        if (*p) {
            char c = *p++;
            sb_puts(&r->h, c == '\x01' ? "<bdi>" : c == '\x03' ? "<bdi dir=\"ltr\">" : "</bdi>");
        }
    }
}

static void section(report *r, const char *id, enum msg title, enum msg intro)
{
    sb_printf(&r->h, "<section id=\"%s\">\n<h2>", id);
    esc(r, W(r, title));
    sb_puts(&r->h, "</h2>\n");
    if (intro != M_COUNT) {
        sb_puts(&r->h, "<p class=\"intro\">");
        esc(r, W(r, intro));
        sb_puts(&r->h, "</p>\n");
    }
}

static void figure_open(report *r, const char *title)
{
    sb_puts(&r->h, "<figure class=\"card\">\n<figcaption>");
    esc(r, title);
    sb_puts(&r->h, "</figcaption>\n");
}

/* The figure's foot: the command that prints its numbers. */
static void figure_close(report *r, const sbuf *cmd, const char *note)
{
    if (note) {
        sb_puts(&r->h, "<p class=\"note\">");
        esc(r, note);
        sb_puts(&r->h, "</p>\n");
    }
    if (cmd && cmd->len) {
        sb_puts(&r->h, "<p class=\"cmd\"><span>");
        esc(r, W(r, M_COMMAND));
        sb_puts(&r->h, "</span> <code dir=\"ltr\">");
        sb_esc(&r->h, cmd->p, cmd->len);
        sb_puts(&r->h, "</code></p>\n");
    }
    sb_puts(&r->h, "</figure>\n");
}

/* In place of a figure that could not be computed: why. */
static void unavailable(report *r, const char *what)
{
    sb_puts(&r->h, "<p class=\"unavailable\"><strong>");
    esc(r, W(r, M_UNAVAILABLE));
    sb_puts(&r->h, "</strong>: ");
    esc(r, last_message);
    sb_puts(&r->h, "</p>\n");
    fprintf(stderr, "cxkit report: %s is not in the report: %s\n", what, last_message);
}

static void small_badge(report *r)
{
    sb_puts(&r->h, " <span class=\"small-badge\" title=\"");
    esc(r, W(r, M_SMALL_NOTE));
    sb_puts(&r->h, "\">");
    esc(r, W(r, M_SMALL));
    sb_puts(&r->h, "</span>");
}

/* A table cell with a number (or the en dash), its sample size when known
 * (n not NaN), marked when the sample is small. */
static void td_num(report *r, double v, int digits, const char *unit, double n, bool small)
{
    sb_puts(&r->h, "<td class=\"num\">");
    sb_num(&r->h, v, digits);
    if (unit && isfinite(v))
        sb_puts(&r->h, unit);
    if (isfinite(n)) {
        sb_puts(&r->h, small ? " <span class=\"n small-n\" title=\"" : " <span class=\"n\">");
        if (small) {
            esc(r, W(r, M_SMALL_NOTE));
            sb_puts(&r->h, "\">");
        }
        sb_puts(&r->h, "(");
        esc(r, W(r, M_N));
        sb_puts(&r->h, "=");
        sb_num(&r->h, n, 0);
        sb_puts(&r->h, ")</span>");
    } else if (small)
        small_badge(r);
    sb_puts(&r->h, "</td>");
}

/* The legend of the small-sample marks of a table. */
static void small_legend(report *r)
{
    sb_puts(&r->h, "<p class=\"note\"><span class=\"n small-n\">(");
    esc(r, W(r, M_N));
    sb_puts(&r->h, "&lt;30)</span> ");
    esc(r, W(r, M_SMALL_NOTE));
    sb_puts(&r->h, "</p>\n");
}

static void td_text(report *r, const char *s, bool ltr)
{
    sb_puts(&r->h, ltr ? "<td dir=\"ltr\">" : "<td>");
    esc(r, s);
    sb_puts(&r->h, "</td>");
}

static void th(report *r, enum msg m)
{
    sb_puts(&r->h, "<th scope=\"col\">");
    esc(r, W(r, m));
    sb_puts(&r->h, "</th>");
}

/* The heading of a column of numbers: aligned with them. */
static void thn(report *r, enum msg m)
{
    sb_puts(&r->h, "<th scope=\"col\" class=\"num\">");
    esc(r, W(r, m));
    sb_puts(&r->h, "</th>");
}

/* ---- the parts ------------------------------------------------------------ */

static const char *const head_measure[4] = {"nps", "csat", "ces", "fcr"};
static const enum msg head_name[4] = {M_NPS, M_CSAT, M_CES, M_FCR};
static const enum msg head_note[4] = {M_NPS_NOTE, M_CSAT_NOTE, M_CES_NOTE, M_FCR_NOTE};
static const int head_digits[4] = {1, 1, 2, 1};
static const char *const head_unit[4] = {"", " %", "", " %"};

static void part_headline(report *r)
{
    out_table t;
    sbuf cmd = {0};
    for (int i = 0; i < 4; i++)
        r->head[i] = r->head_lo[i] = r->head_hi[i] = r->head_n[i] = NAN;
    section(r, "headline", M_HEADLINE, M_COUNT);
    if (run(r, &t, &cmd, AS_OF | OFFSET, "metrics", (const char *const[]){"--measure", "nps,csat,ces,fcr", NULL}) !=
        EXIT_DONE) {
        unavailable(r, "the headline");
        sb_free(&cmd);
        sb_puts(&r->h, "</section>\n");
        return;
    }
    sb_puts(&r->h, "<div class=\"kpis\">\n");
    for (int i = 0; i < 4; i++) {
        char name[32];
        const char *m = head_measure[i];
        double v = t.nrow ? numn(&t, 0, m) : NAN;
        snprintf(name, sizeof name, "%s_lo", m);
        double lo = t.nrow ? numn(&t, 0, name) : NAN;
        snprintf(name, sizeof name, "%s_hi", m);
        double hi = t.nrow ? numn(&t, 0, name) : NAN;
        snprintf(name, sizeof name, "%s_n", m);
        double n = t.nrow ? numn(&t, 0, name) : NAN;
        snprintf(name, sizeof name, "%s_small", m);
        bool small = t.nrow && numn(&t, 0, name) == 1;
        r->head[i] = v, r->head_lo[i] = lo, r->head_hi[i] = hi, r->head_n[i] = n;
        sb_printf(&r->h, "<div class=\"kpi%s\" data-kpi=\"%s\"><div class=\"kpi-name\">", small ? " small" : "", m);
        esc(r, W(r, head_name[i]));
        sb_puts(&r->h, "</div><div class=\"kpi-value\"><span dir=\"ltr\">");
        if (i == 0 && v > 0)
            sb_puts(&r->h, "+");
        sb_num(&r->h, v, head_digits[i]);
        if (isfinite(v))
            sb_puts(&r->h, head_unit[i]);
        sb_puts(&r->h, "</span></div><div class=\"kpi-ci\">");
        esc(r, W(r, M_INTERVAL));
        sb_puts(&r->h, " <span dir=\"ltr\">");
        sb_num(&r->h, lo, head_digits[i]);
        sb_puts(&r->h, " … ");
        sb_num(&r->h, hi, head_digits[i]);
        sb_puts(&r->h, "</span> · ");
        esc(r, W(r, M_N));
        sb_puts(&r->h, " = ");
        sb_num(&r->h, n, 0);
        if (small)
            small_badge(r);
        sb_puts(&r->h, "</div><div class=\"kpi-note\">");
        esc(r, W(r, head_note[i]));
        sb_puts(&r->h, "</div></div>\n");
    }
    sb_puts(&r->h, "</div>\n<p class=\"cmd\"><span>");
    esc(r, W(r, M_COMMAND));
    sb_puts(&r->h, "</span> <code dir=\"ltr\">");
    sb_esc(&r->h, cmd.p, cmd.len);
    sb_puts(&r->h, "</code></p>\n</section>\n");
    out_free(&t);
    sb_free(&cmd);
}

/* One line chart per measure of a monthly table. */
static void trend_chart(report *r, out_table *t, const sbuf *cmd, const char *m, enum msg title, int digits)
{
    char name[32];
    const char **x = texts(t, "month_label", "?");
    double *y = column(t, m);
    snprintf(name, sizeof name, "%s_lo", m);
    double *lo = column(t, name);
    snprintf(name, sizeof name, "%s_hi", m);
    double *hi = column(t, name);
    snprintf(name, sizeof name, "%s_n", m);
    double *n = column(t, name);
    snprintf(name, sizeof name, "%s_small", m);
    unsigned char *small = flags(t, name);
    char id[32];
    snprintf(id, sizeof id, "trend-%s", m);
    figure_open(r, W(r, title));
    if (x && y && lo && hi && n && small) {
        svg_series s = {W(r, title), y, lo, hi, n, small};
        svg_line_band(&r->h, &r->ctx, id, W(r, title), x, t->nrow, &s, 1, NAN, NAN, digits);
    } else
        r->h.oom = true;
    figure_close(r, cmd, W(r, head_note[m[0] == 'n' ? 0 : m[1] == 's' ? 1 : 2]));
    free(x), free(y), free(lo), free(hi), free(n), free(small);
}

static void part_trend(report *r)
{
    out_table t;
    sbuf cmd = {0};
    section(r, "trend", M_TREND, M_TREND_INTRO);
    if (run(r, &t, &cmd, AS_OF | OFFSET, "metrics",
            (const char *const[]){"--measure", "nps,csat,ces", "--by", "month", NULL}) != EXIT_DONE)
        unavailable(r, "the trend by month");
    else {
        sb_puts(&r->h, "<div class=\"grid\">\n");
        trend_chart(r, &t, &cmd, "nps", M_NPS, 1);
        trend_chart(r, &t, &cmd, "csat", M_CSAT, 1);
        trend_chart(r, &t, &cmd, "ces", M_CES, 2);
        sb_puts(&r->h, "</div>\n");
        out_free(&t);
    }
    sb_free(&cmd);
    sb_puts(&r->h, "</section>\n");
}

/* A bar chart of one measure of a grouped table, rows `order` (NULL: all, in
 * table order; else `count` row indexes). */
static void measure_bars(report *r, out_table *t, const sbuf *cmd, const char *dim, const char *m, const char *id,
                         const char *title, const size_t *order, size_t count, int digits, const char *unit,
                         const char *note)
{
    char name[32];
    size_t k = order ? count : t->nrow;
    const char **lab = malloc((k ? k : 1) * sizeof *lab);
    double *v = malloc((k ? k : 1) * 4 * sizeof *v);
    unsigned char *sm = calloc(k ? k : 1, 1);
    int cd = colx(t, dim), cm = colx(t, m);
    snprintf(name, sizeof name, "%s_lo", m);
    int cl = colx(t, name);
    snprintf(name, sizeof name, "%s_hi", m);
    int ch = colx(t, name);
    snprintf(name, sizeof name, "%s_n", m);
    int cn = colx(t, name);
    snprintf(name, sizeof name, "%s_small", m);
    int cs = colx(t, name);
    figure_open(r, title);
    if (lab && v && sm) {
        for (size_t i = 0; i < k; i++) {
            size_t row = order ? order[i] : i;
            const char *s = txt(t, row, cd);
            lab[i] = s && *s ? s : W(r, strcmp(dim, "agent") == 0 ? M_NO_AGENT : M_NONE);
            v[i] = num(t, row, cm);
            v[k + i] = num(t, row, cl);
            v[2 * k + i] = num(t, row, ch);
            v[3 * k + i] = num(t, row, cn);
            sm[i] = num(t, row, cs) == 1;
        }
        svg_hbars(&r->h, &r->ctx, id, title, lab, v, v + k, v + 2 * k, v + 3 * k, sm, k, digits, unit);
    } else
        r->h.oom = true;
    figure_close(r, cmd, note);
    free(lab), free(v), free(sm);
}

static void part_channels(report *r)
{
    out_table t;
    sbuf cmd = {0};
    section(r, "channels", M_CHANNELS, M_CHANNELS_INTRO);
    if (run(r, &t, &cmd, AS_OF | OFFSET, "metrics",
            (const char *const[]){"--measure", "nps,csat,ces,fcr", "--by", "channel", NULL}) != EXIT_DONE)
        unavailable(r, "the measures by channel");
    else {
        sb_puts(&r->h, "<div class=\"grid\">\n");
        measure_bars(r, &t, &cmd, "channel", "nps", "channel-nps", W(r, M_NPS), NULL, 0, 1, NULL,
                     W(r, M_NPS_NOTE));
        measure_bars(r, &t, &cmd, "channel", "csat", "channel-csat", W(r, M_CSAT), NULL, 0, 1, " %",
                     W(r, M_CSAT_NOTE));
        measure_bars(r, &t, &cmd, "channel", "ces", "channel-ces", W(r, M_CES), NULL, 0, 2, NULL,
                     W(r, M_CES_NOTE));
        sb_puts(&r->h, "</div>\n");
        out_free(&t);
    }
    sb_free(&cmd);
    cmd = (sbuf){0};
    if (run(r, &t, &cmd, AS_OF | OFFSET, "metrics",
            (const char *const[]){"--measure", "csat,nps", "--by", "touchpoint", NULL}) != EXIT_DONE)
        unavailable(r, "CSAT by touchpoint");
    else {
        /* the 15 with the most answers, shown lowest CSAT first */
        size_t *order = malloc((t.nrow ? t.nrow : 1) * sizeof *order), k = 0;
        int cn = colx(&t, "csat_n"), cv = colx(&t, "csat");
        if (!order)
            r->h.oom = true;
        for (size_t i = 0; order && i < t.nrow; i++)
            if (isfinite(num(&t, i, cv)))
                order[k++] = i;
        for (size_t i = 1; order && i < k; i++) /* by answers, most first (stable) */
            for (size_t j = i; j > 0 && num(&t, order[j], cn) > num(&t, order[j - 1], cn); j--) {
                size_t x = order[j];
                order[j] = order[j - 1], order[j - 1] = x;
            }
        if (k > 15)
            k = 15;
        for (size_t i = 1; order && i < k; i++) /* then by CSAT, lowest first */
            for (size_t j = i; j > 0 && num(&t, order[j], cv) < num(&t, order[j - 1], cv); j--) {
                size_t x = order[j];
                order[j] = order[j - 1], order[j - 1] = x;
            }
        if (order)
            measure_bars(r, &t, &cmd, "touchpoint", "csat", "touchpoint-csat", W(r, M_TOUCHPOINTS), order, k, 1,
                         " %", W(r, M_TOUCHPOINTS_INTRO));
        free(order);
        out_free(&t);
    }
    sb_free(&cmd);
    sb_puts(&r->h, "</section>\n");
}

static void part_funnel(report *r)
{
    out_table t;
    sbuf cmd = {0};
    const char *args[80];
    size_t na = 0;
    char *owned = NULL; /* "stage:NAME" strings when the steps are the stages */
    if (r->nsteps) {
        args[na++] = "funnel";
        for (size_t i = 0; i < r->nsteps && na < 70; i++)
            args[na++] = "--step", args[na++] = r->steps[i];
    } else {
        out_table st;
        sbuf c0 = {0};
        int rc = run(r, &st, &c0, 0, "journeys", (const char *const[]){"stages", NULL});
        sb_free(&c0);
        if (rc != EXIT_DONE) {
            unavailable(r, "the funnel");
            return;
        }
        int cs = colx(&st, "stage"), cr = colx(&st, "reached");
        size_t len = 0;
        for (size_t i = 0; i < st.nrow; i++)
            if (num(&st, i, cr) > 0 && txt(&st, i, cs))
                len += strlen(txt(&st, i, cs)) + 7;
        owned = malloc(len + 1);
        args[na++] = "funnel";
        for (size_t i = 0, off = 0; owned && i < st.nrow && na < 70; i++) {
            const char *name = txt(&st, i, cs);
            if (!(num(&st, i, cr) > 0) || !name)
                continue;
            args[na++] = "--step";
            args[na++] = owned + off;
            off += (size_t)sprintf(owned + off, "stage:%s", name) + 1;
        }
        if (!owned)
            r->h.oom = true;
        out_free(&st);
    }
    args[na] = NULL;
    figure_open(r, W(r, M_FUNNEL));
    if (na < 5) {
        snprintf(last_message, sizeof last_message, "%s",
                 r->ar ? "يلزم مرحلتان على الأقل في الرحلات" : "the journeys reach fewer than two stages");
        r->parts_failed++;
        unavailable(r, "the funnel");
    } else if (run(r, &t, &cmd, 0, "journeys", args) != EXIT_DONE)
        unavailable(r, "the funnel");
    else {
        const char **lab = texts(&t, "name", "?");
        double *n = column(&t, "entered");
        if (lab && n)
            svg_funnel(&r->h, &r->ctx, "funnel", W(r, M_FUNNEL), lab, n, t.nrow);
        else
            r->h.oom = true;
        free(lab), free(n);
        out_free(&t);
    }
    figure_close(r, &cmd, W(r, M_FUNNEL_NOTE));
    free(owned);
    sb_free(&cmd);
}

static void part_sankey(report *r)
{
    out_table t;
    sbuf cmd = {0};
    figure_open(r, W(r, M_SANKEY));
    if (run(r, &t, &cmd, 0, "journeys", (const char *const[]){"paths", "--top", "10", NULL}) != EXIT_DONE)
        unavailable(r, "the journey flow");
    else {
        int cp = colx(&t, "path"), cj = colx(&t, "journeys");
        size_t nstep = 0, bytes = 0;
        for (size_t i = 0; i < t.nrow; i++) {
            const char *p = txt(&t, i, cp);
            if (!p)
                continue;
            bytes += strlen(p) + 1;
            nstep++;
            for (const char *q = strstr(p, " > "); q; q = strstr(q + 3, " > "))
                nstep++;
        }
        svg_flow *flows = calloc(t.nrow ? t.nrow : 1, sizeof *flows);
        const char **steps = malloc((nstep ? nstep : 1) * sizeof *steps);
        char *copy = malloc(bytes ? bytes : 1);
        size_t nf = 0, k = 0, off = 0;
        for (size_t i = 0; flows && steps && copy && i < t.nrow; i++) {
            const char *p = txt(&t, i, cp);
            if (!p)
                continue;
            char *c = strcpy(copy + off, p);
            off += strlen(p) + 1;
            flows[nf].steps = steps + k;
            for (;;) {
                steps[k++] = c;
                char *q = strstr(c, " > ");
                if (!q)
                    break;
                *q = 0;
                c = q + 3;
            }
            flows[nf].nsteps = (size_t)(steps + k - flows[nf].steps);
            flows[nf].count = num(&t, i, cj);
            nf++;
        }
        if (flows && steps && copy)
            svg_sankey(&r->h, &r->ctx, "sankey", W(r, M_SANKEY), flows, nf);
        else
            r->h.oom = true;
        free(flows), free(steps), free(copy);
        out_free(&t);
    }
    figure_close(r, &cmd, W(r, M_SANKEY_NOTE));
    sb_free(&cmd);
}

static void part_attribution(report *r)
{
    static const char *const cols[] = {"markov", "first_touch", "last_touch", "linear", "time_decay", "position_based"};
    static const enum msg names[] = {M_MARKOV, M_FIRST, M_LAST, M_LINEAR, M_DECAY, M_POSITION};
    out_table t;
    sbuf cmd = {0};
    figure_open(r, W(r, M_ATTRIBUTION));
    if (run(r, &t, &cmd, 0, "journeys", (const char *const[]){"attribution", "--level", "channel", NULL}) !=
        EXIT_DONE)
        unavailable(r, "the attribution");
    else {
        const char **cats = texts(&t, "name", "?");
        double *v = malloc((t.nrow ? t.nrow : 1) * 6 * sizeof *v);
        const char *sn[6];
        for (int k = 0; k < 6; k++)
            sn[k] = W(r, names[k]);
        if (cats && v) {
            for (size_t i = 0; i < t.nrow; i++)
                for (int k = 0; k < 6; k++)
                    v[i * 6 + (size_t)k] = numn(&t, i, cols[k]);
            svg_grouped_hbars(&r->h, &r->ctx, "attribution", W(r, M_ATTRIBUTION), cats, t.nrow, sn, 6, v, 0);
        } else
            r->h.oom = true;
        free(cats), free(v);
        out_free(&t);
    }
    figure_close(r, &cmd, W(r, M_ATTRIBUTION_NOTE));
    sb_free(&cmd);
}

/* One reason of a pain point ("38.1 % LABEL vs 34.6 % elsewhere (n = 5075)",
 * as cx_journeys_pain_points() writes it), in the report's language; text
 * of another shape is kept as it is. */
static void pain_reason(report *r, const char *part, size_t len)
{
    static const enum msg sig[] = {M_SIG_DROP, M_SIG_POST, M_SIG_DET, M_SIG_CSAT, M_SIG_CES, M_SIG_REPEAT};
    char buf[512];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, part, len);
    buf[len] = 0;
    if (strcmp(buf, words_en[M_KEY_TOUCHPOINT]) == 0 || strcmp(buf, words_en[M_NO_SIGNAL]) == 0) {
        esc(r, W(r, strcmp(buf, words_en[M_KEY_TOUCHPOINT]) == 0 ? M_KEY_TOUCHPOINT : M_NO_SIGNAL));
        return;
    }
    double share, rest;
    unsigned long long n;
    int used = 0;
    char *vs = strstr(buf, " vs ");
    if (vs && sscanf(buf, "%lf %% %n", &share, &used) == 1 && used > 0) {
        *vs = 0;
        const char *label = buf + used;
        int used2 = 0;
        if (sscanf(vs + 4, "%lf %% elsewhere (n = %llu)%n", &rest, &n, &used2) == 2 && used2 > 0 &&
            vs[4 + used2] == 0) {
            for (size_t k = 0; k < sizeof sig / sizeof sig[0]; k++) {
                if (strcmp(label, words_en[sig[k]]) != 0)
                    continue;
                char restbuf[64], vsbuf[160];
                sbuf rb = {0};
                sb_num(&rb, rest, 1);
                snprintf(restbuf, sizeof restbuf, "%s %%", rb.p ? rb.p : "");
                sb_free(&rb);
                snprintf(vsbuf, sizeof vsbuf, W(r, M_VS_ELSEWHERE), restbuf);
                sb_puts(&r->h, "<b dir=\"ltr\">");
                sb_num(&r->h, share, 1);
                sb_puts(&r->h, " %</b> ");
                esc(r, W(r, sig[k]));
                sb_puts(&r->h, " ");
                esc(r, vsbuf);
                sb_printf(&r->h, " (%s = %llu)", W(r, M_N), n);
                return;
            }
        }
        *vs = ' ';
    }
    esc(r, buf);
}

static void part_pain(report *r)
{
    out_table t;
    sbuf cmd = {0};
    section(r, "pain-points", M_PAIN, M_PAIN_INTRO);
    if (run(r, &t, &cmd, 0, "journeys", (const char *const[]){"pain-points", NULL}) != EXIT_DONE) {
        unavailable(r, "the pain points");
        sb_free(&cmd);
        sb_puts(&r->h, "</section>\n");
        return;
    }
    size_t k = t.nrow < 10 ? t.nrow : 10;
    int ct = colx(&t, "touchpoint"), cc = colx(&t, "channel"), cs = colx(&t, "stage"), cr = colx(&t, "reason"),
        csc = colx(&t, "score"), cfl = colx(&t, "flags"), cj = colx(&t, "journeys"), crank = colx(&t, "rank");
    const char *tp0 = k ? txt(&t, 0, ct) : NULL;
    if (tp0)
        snprintf(r->pain_tp, sizeof r->pain_tp, "%s", tp0);
    if (k && txt(&t, 0, ct))
        snprintf(r->first_pain, sizeof r->first_pain, "%s (%s, %s): %s", txt(&t, 0, ct),
                 txt(&t, 0, cc) ? txt(&t, 0, cc) : "?", txt(&t, 0, cs) ? txt(&t, 0, cs) : "?",
                 txt(&t, 0, cr) ? txt(&t, 0, cr) : "");
    /* what each touchpoint's detractors write most, beside the reasons */
    out_table th_t;
    sbuf th_cmd = {0};
    bool have_themes = run(r, &th_t, &th_cmd, 0, "text",
                           (const char *const[]){"themes", "--by", "touchpoint", "--min-count", "5", NULL}) == EXIT_DONE;
    sb_free(&th_cmd);
    /* the table first: what to fix, and why */
    sb_puts(&r->h, "<div class=\"card\"><div class=\"scroll\"><table data-table=\"pain-points\">\n<thead><tr>");
    th(r, M_RANK), th(r, M_TOUCHPOINT), th(r, M_CHANNEL), th(r, M_STAGE), th(r, M_SCORE), th(r, M_SIGNALS), th(r, M_JOURNEY_COUNT),
        th(r, M_REASON);
    sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < k; i++) {
        sb_puts(&r->h, "<tr>");
        td_num(r, num(&t, i, crank), 0, NULL, NAN, false);
        sb_puts(&r->h, "<th scope=\"row\">");
        esc(r, txt(&t, i, ct));
        sb_puts(&r->h, "</th>");
        td_text(r, txt(&t, i, cc), false);
        td_text(r, txt(&t, i, cs), false);
        td_num(r, num(&t, i, csc), 1, NULL, NAN, false);
        td_num(r, num(&t, i, cfl), 0, NULL, NAN, false);
        td_num(r, num(&t, i, cj), 0, NULL, NAN, false);
        sb_puts(&r->h, "<td class=\"reason\"><ul>");
        const char *reason = txt(&t, i, cr);
        for (const char *p = reason ? reason : ""; *p;) {
            const char *e = strstr(p, "; ");
            size_t len = e ? (size_t)(e - p) : strlen(p);
            sb_puts(&r->h, "<li>");
            pain_reason(r, p, len);
            sb_puts(&r->h, "</li>");
            p += len;
            if (e)
                p += 2;
        }
        /* the first theme of its detractors (the themes are by group, z descending) */
        for (size_t q = 0; have_themes && txt(&t, i, ct) && q < th_t.nrow; q++) {
            const char *g = txt(&th_t, q, colx(&th_t, "group"));
            if (!g || strcmp(g, txt(&t, i, ct)) != 0)
                continue;
            if (num(&th_t, q, colx(&th_t, "z")) > 0 && txt(&th_t, q, colx(&th_t, "label"))) {
                char pct[32], term[300], line[512];
                snprintf(pct, sizeof pct, "%.0f", 100 * num(&th_t, q, colx(&th_t, "low_share")));
                snprintf(term, sizeof term, "\x01%s\x02", txt(&th_t, q, colx(&th_t, "label")));
                snprintf(line, sizeof line, W(r, M_EVIDENCE), pct, term);
                sb_puts(&r->h, "<li class=\"evidence\">");
                esc_isolated(r, line);
                sb_puts(&r->h, "</li>");
            }
            break;
        }
        sb_puts(&r->h, "</ul></td></tr>\n");
    }
    if (have_themes)
        out_free(&th_t);
    sb_puts(&r->h, "</tbody></table></div>\n");
    sb_puts(&r->h, "<p class=\"cmd\"><span>");
    esc(r, W(r, M_COMMAND));
    sb_puts(&r->h, "</span> <code dir=\"ltr\">");
    sb_esc(&r->h, cmd.p, cmd.len);
    sb_puts(&r->h, "</code></p></div>\n");
    size_t *order = malloc((k ? k : 1) * sizeof *order);
    if (order) {
        for (size_t i = 0; i < k; i++)
            order[i] = i;
        /* bars from the score; no interval, and the sample is the journeys */
        const char **lab = malloc((k ? k : 1) * sizeof *lab);
        double *v = malloc((k ? k : 1) * 2 * sizeof *v);
        if (lab && v) {
            for (size_t i = 0; i < k; i++) {
                lab[i] = txt(&t, i, ct) ? txt(&t, i, ct) : "?";
                v[i] = num(&t, i, csc);
                v[k + i] = num(&t, i, cj);
            }
            figure_open(r, W(r, M_PAIN_SCORE));
            svg_hbars(&r->h, &r->ctx, "pain-points", W(r, M_PAIN_SCORE), lab, v, NULL, NULL, v + k, NULL, k, 1, NULL);
            figure_close(r, &cmd, NULL);
        } else
            r->h.oom = true;
        free(lab), free(v);
    } else
        r->h.oom = true;
    free(order);
    out_free(&t);
    sb_free(&cmd);
    sb_puts(&r->h, "</section>\n");
}

/* What the detractors of the first pain point write: its top themes, the
 * share of detractors' and promoters' comments using each, and an example. */
static void part_voice(report *r)
{
    out_table t, ex;
    sbuf cmd = {0}, ecmd = {0};
    section(r, "voice", M_VOICE, M_VOICE_INTRO);
    if (!r->pain_tp[0]) {
        sb_puts(&r->h, "<p class=\"note\">");
        esc(r, W(r, M_NO_DATA));
        sb_puts(&r->h, "</p>\n</section>\n");
        return;
    }
    if (run(r, &t, &cmd, 0, "text",
            (const char *const[]){"themes", "--touchpoint", r->pain_tp, "--min-count", "5", NULL}) != EXIT_DONE) {
        unavailable(r, "what customers write");
        sb_free(&cmd);
        sb_puts(&r->h, "</section>\n");
        return;
    }
    int cl = colx(&t, "label"), clo = colx(&t, "low_share"), chi = colx(&t, "high_share"), cz = colx(&t, "z");
    size_t k = 0;
    while (k < t.nrow && k < 5 && num(&t, k, cz) > 0)
        k++;
    sb_puts(&r->h, "<div class=\"card\">");
    if (k == 0) {
        sb_puts(&r->h, "<p>");
        esc(r, W(r, M_NO_THEME));
        sb_puts(&r->h, "</p>");
    } else {
        char lo[32], hi[32], line[1024];
        snprintf(lo, sizeof lo, "%.0f", 100 * num(&t, 0, clo));
        snprintf(hi, sizeof hi, "%.0f", 100 * num(&t, 0, chi));
        char term[300], tp[300];
        snprintf(term, sizeof term, "\x01%s\x02", txt(&t, 0, cl) ? txt(&t, 0, cl) : "");
        snprintf(tp, sizeof tp, "\x01%s\x02", r->pain_tp);
        snprintf(line, sizeof line, W(r, M_VOICE_LINE), lo, tp, term, hi);
        sb_puts(&r->h, "<p class=\"voice\">");
        esc_isolated(r, line);
        sb_puts(&r->h, "</p>\n");
    }
    sb_puts(&r->h, "<div class=\"scroll\"><table data-table=\"themes\">\n<thead><tr>");
    th(r, M_THEME), th(r, M_LOW_SHARE), th(r, M_HIGH_SHARE), th(r, M_Z);
    sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < k; i++) {
        sb_puts(&r->h, "<tr><th scope=\"row\"><bdi>");
        esc(r, txt(&t, i, cl));
        sb_puts(&r->h, "</bdi></th>");
        td_num(r, 100 * num(&t, i, clo), 0, " %", NAN, false);
        td_num(r, 100 * num(&t, i, chi), 0, " %", NAN, false);
        td_num(r, num(&t, i, cz), 2, NULL, NAN, false);
        sb_puts(&r->h, "</tr>\n");
    }
    sb_puts(&r->h, "</tbody></table></div>\n");
    /* an example: a low-scored comment about the touchpoint holding the first theme */
    if (k && txt(&t, 0, cl) &&
        run(r, &ex, &ecmd, 0, "text", (const char *const[]){"search", txt(&t, 0, cl), NULL}) == EXIT_DONE) {
        int et = colx(&ex, "touchpoint"), es = colx(&ex, "score"), ec = colx(&ex, "comment");
        for (size_t i = 0; i < ex.nrow; i++) {
            const char *tp = txt(&ex, i, et);
            if (tp && strcmp(tp, r->pain_tp) == 0 && num(&ex, i, es) <= 6 && txt(&ex, i, ec)) {
                sb_puts(&r->h, "<figure class=\"example\"><figcaption>");
                esc(r, W(r, M_EXAMPLE));
                sb_puts(&r->h, "</figcaption><blockquote dir=\"auto\">");
                esc(r, txt(&ex, i, ec));
                sb_puts(&r->h, "</blockquote></figure>\n");
                break;
            }
        }
        out_free(&ex);
    }
    sb_puts(&r->h, "<p class=\"cmd\"><span>");
    esc(r, W(r, M_COMMAND));
    sb_puts(&r->h, "</span> <code dir=\"ltr\">");
    sb_esc(&r->h, cmd.p, cmd.len);
    sb_puts(&r->h, "</code></p></div>\n");
    out_free(&t);
    sb_free(&cmd);
    sb_free(&ecmd);
    sb_puts(&r->h, "</section>\n");
}

static void part_retention(report *r)
{
    out_table t;
    sbuf cmd = {0};
    section(r, "retention", M_RETENTION, M_RETENTION_INTRO);
    figure_open(r, W(r, M_COHORTS));
    if (run(r, &t, &cmd, OFFSET, "retention", (const char *const[]){"cohorts", NULL}) != EXIT_DONE)
        unavailable(r, "the retention heatmap");
    else {
        int cl = colx(&t, "cohort_label"), cp = colx(&t, "period"), cv = colx(&t, "retention"),
            cs = colx(&t, "size");
        size_t nrow = 0, ncol = 0;
        for (size_t i = 0; i < t.nrow; i++) {
            bool seen = i > 0 && txt(&t, i, cl) && txt(&t, i - 1, cl) && strcmp(txt(&t, i, cl), txt(&t, i - 1, cl)) == 0;
            nrow += !seen;
            double p = num(&t, i, cp);
            if (p >= 0 && p < 1000 && (size_t)p + 1 > ncol)
                ncol = (size_t)p + 1;
        }
        const char **rows = malloc((nrow ? nrow : 1) * sizeof *rows);
        double *rn = malloc((nrow ? nrow : 1) * sizeof *rn);
        double *v = malloc((nrow * ncol > 0 ? nrow * ncol : 1) * sizeof *v);
        char *colnames = malloc((ncol ? ncol : 1) * 24);
        const char **cols = malloc((ncol ? ncol : 1) * sizeof *cols);
        if (rows && rn && v && colnames && cols) {
            for (size_t c = 0; c < ncol; c++) {
                snprintf(colnames + c * 24, 24, "%zu", c);
                cols[c] = colnames + c * 24;
            }
            for (size_t i = 0; i < nrow * ncol; i++)
                v[i] = NAN;
            size_t row = (size_t)-1;
            for (size_t i = 0; i < t.nrow; i++) {
                bool seen = i > 0 && txt(&t, i, cl) && txt(&t, i - 1, cl) &&
                            strcmp(txt(&t, i, cl), txt(&t, i - 1, cl)) == 0;
                if (!seen) {
                    row++;
                    rows[row] = txt(&t, i, cl) ? txt(&t, i, cl) : "?";
                    rn[row] = num(&t, i, cs);
                }
                double p = num(&t, i, cp);
                if (p >= 0 && (size_t)p < ncol)
                    v[row * ncol + (size_t)p] = num(&t, i, cv);
            }
            svg_heatmap(&r->h, &r->ctx, "retention", W(r, M_COHORTS), rows, nrow, cols, ncol, v, rn, 0, 100, "%");
        } else
            r->h.oom = true;
        free(rows), free(rn), free(v), free(colnames), free(cols);
        out_free(&t);
    }
    figure_close(r, &cmd, W(r, M_LEGEND_PERIOD));
    sb_free(&cmd);
    sb_puts(&r->h, "</section>\n");
}

/* A p-value as the report writes it: three decimals, "< 0.001" below
 * (after "p " in a sentence: "= 0.009" or "< 0.001", see p_phrase). */
static void p_text(char *out, size_t cap, double p)
{
    sbuf b = {0};
    if (isfinite(p) && p < 0.001)
        sb_puts(&b, "< 0.001");
    else
        sb_num(&b, p, 3);
    snprintf(out, cap, "%s", b.p && !b.oom ? b.p : "?");
    sb_free(&b);
}

/* "p = 0.009" or "p < 0.001", isolated left to right (esc_isolated). */
static void p_phrase(char *out, size_t cap, double p)
{
    char buf[32];
    p_text(buf, sizeof buf, p);
    snprintf(out, cap, "\x03p %s%s\x02", buf[0] == '<' ? "" : "= ", buf);
}

static void p_cell(report *r, double p)
{
    char buf[32];
    p_text(buf, sizeof buf, p);
    sb_puts(&r->h, "<td class=\"num\" dir=\"ltr\">");
    esc(r, buf);
    sb_puts(&r->h, "</td>");
}

/* A confidence interval cell: "lo … hi" (the en dash for a missing bound). */
static void ci_cell(report *r, double lo, double hi, int digits)
{
    sb_puts(&r->h, "<td class=\"num\"><span dir=\"ltr\">");
    sb_num(&r->h, lo, digits);
    sb_puts(&r->h, " … ");
    sb_num(&r->h, hi, digits);
    sb_puts(&r->h, "</span></td>");
}

/* The command of a table, at its foot. */
static void cmd_line(report *r, const sbuf *cmd)
{
    sb_puts(&r->h, "<p class=\"cmd\"><span>");
    esc(r, W(r, M_COMMAND));
    sb_puts(&r->h, "</span> <code dir=\"ltr\">");
    sb_esc(&r->h, cmd->p, cmd->len);
    sb_puts(&r->h, "</code></p>\n");
}

/* Kaplan-Meier curves by group with the numbers at risk, the median
 * lifetimes, and the log-rank test across the groups. */
static void part_survival(report *r)
{
    out_table t, sum, lr;
    sbuf cmd = {0}, cmd2 = {0}, cmd3 = {0};
    const char *by = r->by ? r->by : "segment";
    section(r, "survival", M_SURV_SECTION, M_SURV_INTRO);
    figure_open(r, W(r, M_SURVIVAL));
    if (run(r, &t, &cmd, AS_OF | OFFSET, "retention", (const char *const[]){"curve", "--by", by, NULL}) !=
        EXIT_DONE) {
        unavailable(r, "the survival curves");
        figure_close(r, &cmd, NULL);
        sb_free(&cmd);
        return; /* the section goes on with the lifecycle */
    }
    int cg = colx(&t, "group"), ct = colx(&t, "time"), cs = colx(&t, "survival"), cl = colx(&t, "lo"),
        ch = colx(&t, "hi"), ca = colx(&t, "at_risk");
    size_t ng = 0;
    for (size_t i = 0; i < t.nrow; i++) {
        const char *g = txt(&t, i, cg), *pg = i ? txt(&t, i - 1, cg) : NULL;
        ng += !(i > 0 && ((!g && !pg) || (g && pg && strcmp(g, pg) == 0)));
    }
    svg_curve *cv = calloc(ng ? ng : 1, sizeof *cv);
    double *d = malloc((t.nrow ? t.nrow : 1) * 5 * sizeof *d);
    sb_puts(&r->h, "<div class=\"side\">");
    if (cv && d) {
        size_t n = t.nrow, g = (size_t)-1;
        for (size_t i = 0; i < n; i++) {
            const char *gn = txt(&t, i, cg), *pg = i ? txt(&t, i - 1, cg) : NULL;
            if (!(i > 0 && ((!gn && !pg) || (gn && pg && strcmp(gn, pg) == 0)))) {
                g++;
                cv[g].name = gn && *gn ? gn : W(r, M_NONE);
                cv[g].t = d + i, cv[g].s = d + n + i, cv[g].lo = d + 2 * n + i, cv[g].hi = d + 3 * n + i;
                cv[g].at_risk = d + 4 * n + i;
                cv[g].subjects = num(&t, i, ca);
                cv[g].small = cv[g].subjects < 30;
            }
            d[i] = num(&t, i, ct), d[n + i] = num(&t, i, cs), d[2 * n + i] = num(&t, i, cl), d[3 * n + i] = num(&t, i, ch);
            d[4 * n + i] = num(&t, i, ca);
            cv[g].n++;
        }
        svg_steps(&r->h, &r->ctx, "survival", W(r, M_SURVIVAL), W(r, M_DAYS), cv, ng);
    } else
        r->h.oom = true;
    free(cv), free(d);
    out_free(&t);
    /* the medians, beside the curves */
    sb_puts(&r->h, "<div class=\"beside\">");
    bool have_sum = run(r, &sum, &cmd2, AS_OF | OFFSET, "retention",
                        (const char *const[]){"survival", "--by", by, NULL}) == EXIT_DONE;
    if (have_sum) {
        sb_puts(&r->h, "<div class=\"scroll\"><table data-table=\"survival\">\n<thead><tr>");
        th(r, M_GROUP), thn(r, M_SUBJECTS), thn(r, M_CHURNED), thn(r, M_MEDIAN_LIFE), thn(r, M_CI95);
        sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
        int g = colx(&sum, "group");
        bool any_small = false;
        for (size_t i = 0; i < sum.nrow; i++) {
            const char *gn = txt(&sum, i, g);
            sb_puts(&r->h, "<tr><th scope=\"row\" dir=\"auto\">");
            esc(r, gn && *gn ? gn : W(r, M_NONE));
            sb_puts(&r->h, "</th>");
            double subjects = numn(&sum, i, "subjects"), median = numn(&sum, i, "median");
            any_small |= subjects < 30;
            td_num(r, subjects, 0, NULL, NAN, subjects < 30);
            td_num(r, numn(&sum, i, "events"), 0, NULL, NAN, false);
            if (isfinite(median))
                td_num(r, median, 0, NULL, NAN, false);
            else {
                sb_puts(&r->h, "<td class=\"num\">");
                esc(r, W(r, M_NOT_REACHED));
                sb_puts(&r->h, "</td>");
            }
            ci_cell(r, numn(&sum, i, "median_lo"), numn(&sum, i, "median_hi"), 0);
            sb_puts(&r->h, "</tr>\n");
        }
        sb_puts(&r->h, "</tbody></table></div>\n");
        if (any_small)
            small_legend(r);
        cmd_line(r, &cmd2);
        out_free(&sum);
    } else
        unavailable(r, "the survival medians");
    sb_puts(&r->h, "</div></div>\n");
    figure_close(r, &cmd, W(r, M_SURVIVAL_NOTE));
    /* the log-rank test across the groups */
    sb_puts(&r->h, "<div class=\"card\"><h3>");
    esc(r, W(r, M_LOGRANK));
    sb_puts(&r->h, "</h3>\n");
    if (run(r, &lr, &cmd3, AS_OF | OFFSET, "retention", (const char *const[]){"logrank", "--by", by, NULL}) ==
            EXIT_DONE &&
        lr.nrow == 1) {
        double chi2 = numn(&lr, 0, "chi2"), df = numn(&lr, 0, "df"), p = numn(&lr, 0, "p");
        double ms = numn(&lr, 0, "min_subjects"), me = numn(&lr, 0, "min_events");
        char pt[48], byq[80], line[1024];
        p_phrase(pt, sizeof pt, p);
        snprintf(byq, sizeof byq, "\x01%s\x02", by);
        snprintf(line, sizeof line, W(r, p < 0.05 ? M_LOGRANK_DIFF : M_LOGRANK_SAME), byq, pt);
        sb_puts(&r->h, "<p class=\"verdict\">");
        esc_isolated(r, line);
        sb_puts(&r->h, "</p>\n");
        if (ms < 30 || me < 5) { /* the chi-square reading needs enough events in every group */
            char a[32], b[32];
            snprintf(a, sizeof a, "%.0f", ms);
            snprintf(b, sizeof b, "%.0f", me);
            snprintf(line, sizeof line, W(r, M_LOGRANK_SMALL), a, b);
            sb_puts(&r->h, "<p class=\"note caution\">");
            esc(r, line);
            sb_puts(&r->h, "</p>\n");
        }
        sb_puts(&r->h, "<div class=\"scroll\"><table class=\"compact\" data-table=\"logrank\">\n<thead><tr>");
        thn(r, M_CHI2), thn(r, M_DF), thn(r, M_P);
        sb_puts(&r->h, "</tr></thead>\n<tbody>\n<tr>");
        td_num(r, chi2, 2, NULL, NAN, false);
        td_num(r, df, 0, NULL, NAN, false);
        p_cell(r, p);
        sb_puts(&r->h, "</tr>\n</tbody></table></div>\n");
        cmd_line(r, &cmd3);
        out_free(&lr);
    } else
        unavailable(r, "the log-rank test");
    sb_puts(&r->h, "</div>\n");
    sb_free(&cmd);
    sb_free(&cmd2);
    sb_free(&cmd3);
}

/* The lifecycle per month as stacked bars (dormant below the line), the
 * last six months as a table, and their stickiness. */
static void part_lifecycle(report *r)
{
    static const char *const cols[] = {"new", "returning", "resurrecting", "dormant"};
    static const enum msg names[] = {M_NEW, M_RETURNING, M_RESURRECTING, M_DORMANT};
    out_table t, st;
    sbuf cmd = {0}, cmd2 = {0};
    figure_open(r, W(r, M_LIFECYCLE));
    if (run(r, &t, &cmd, OFFSET, "retention", (const char *const[]){"lifecycle", NULL}) != EXIT_DONE) {
        unavailable(r, "the lifecycle");
        figure_close(r, &cmd, NULL);
        sb_free(&cmd);
        return;
    }
    const char **x = texts(&t, "period_label", "?");
    double *v = malloc((t.nrow ? t.nrow : 1) * 4 * sizeof *v);
    const char *sn[4];
    for (int k = 0; k < 4; k++)
        sn[k] = W(r, names[k]);
    if (x && v) {
        for (int k = 0; k < 4; k++)
            for (size_t i = 0; i < t.nrow; i++)
                v[(size_t)k * t.nrow + i] = numn(&t, i, cols[k]);
        svg_stacked_bars(&r->h, &r->ctx, "lifecycle", W(r, M_LIFECYCLE), x, t.nrow, sn,
                         (const unsigned char[]){0, 0, 0, 1}, 4, v);
    } else
        r->h.oom = true;
    free(x), free(v);
    size_t first = t.nrow > 6 ? t.nrow - 6 : 0;
    sb_puts(&r->h, "<div class=\"scroll\"><table class=\"compact\" data-table=\"lifecycle\">\n<thead><tr>");
    th(r, M_PERIOD), thn(r, M_ACTIVE), thn(r, M_NEW), thn(r, M_RETURNING), thn(r, M_RESURRECTING), thn(r, M_DORMANT),
        thn(r, M_QUICK);
    sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
    for (size_t i = first; i < t.nrow; i++) {
        sb_puts(&r->h, "<tr><th scope=\"row\" dir=\"ltr\">");
        esc(r, txt(&t, i, colx(&t, "period_label")));
        sb_puts(&r->h, "</th>");
        td_num(r, numn(&t, i, "active"), 0, NULL, NAN, false);
        for (int k = 0; k < 4; k++)
            td_num(r, numn(&t, i, cols[k]), 0, NULL, NAN, false);
        td_num(r, numn(&t, i, "quick_ratio"), 2, NULL, NAN, false);
        sb_puts(&r->h, "</tr>\n");
    }
    sb_puts(&r->h, "</tbody></table></div>\n");
    figure_close(r, &cmd, W(r, M_LIFECYCLE_NOTE));
    /* stickiness of the same months */
    figure_open(r, W(r, M_STICKINESS));
    if (run(r, &st, &cmd2, OFFSET, "retention", (const char *const[]){"stickiness", NULL}) != EXIT_DONE)
        unavailable(r, "the stickiness");
    else {
        sb_puts(&r->h, "<div class=\"scroll\"><table class=\"compact\" data-table=\"stickiness\">\n<thead><tr>");
        th(r, M_PERIOD), thn(r, M_ACTIVE), thn(r, M_DAYS1), thn(r, M_DAYS2), thn(r, M_DAYS3);
        sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
        int cl = colx(&st, "period_label"), cd = colx(&st, "days"), cc = colx(&st, "customers"),
            ca = colx(&st, "active");
        for (size_t i = first; i < t.nrow; i++) {
            const char *label = txt(&t, i, colx(&t, "period_label"));
            double share[3] = {0, 0, 0}, active = NAN;
            for (size_t q = 0; label && q < st.nrow; q++) {
                const char *sl = txt(&st, q, cl);
                if (!sl || strcmp(sl, label) != 0)
                    continue;
                double days = num(&st, q, cd), c = num(&st, q, cc);
                active = num(&st, q, ca);
                share[days >= 3 ? 2 : days >= 2 ? 1 : 0] += isfinite(c) ? c : 0;
            }
            sb_puts(&r->h, "<tr><th scope=\"row\" dir=\"ltr\">");
            esc(r, label);
            sb_puts(&r->h, "</th>");
            td_num(r, active, 0, NULL, NAN, false);
            for (int k = 0; k < 3; k++)
                td_num(r, active > 0 ? 100 * share[k] / active : NAN, 1, " %", NAN, false);
            sb_puts(&r->h, "</tr>\n");
        }
        sb_puts(&r->h, "</tbody></table></div>\n");
        out_free(&st);
    }
    figure_close(r, &cmd2, W(r, M_STICKINESS_NOTE));
    out_free(&t);
    sb_free(&cmd);
    sb_free(&cmd2);
}

/* Which factors shorten the time to churn: the hazard ratios of a Cox
 * model of segment and plan (and the service signals the command offers),
 * and a sentence naming the strongest significant factor. */
static void part_cox(report *r)
{
    out_table t;
    sbuf cmd = {0};
    figure_open(r, W(r, M_COX));
    int rc = run(r, &t, &cmd, AS_OF | OFFSET, "retention", (const char *const[]){"cox", NULL});
    if (rc == EXIT_FAILED) {
        /* a store without feedback or cases gives constant signals: the
         * factors alone */
        sb_free(&cmd);
        cmd = (sbuf){0};
        if ((rc = run(r, &t, &cmd, AS_OF | OFFSET, "retention",
                      (const char *const[]){"cox", "--signals", "none", NULL})) == EXIT_DONE)
            r->parts_failed--;
    }
    if (rc != EXIT_DONE) {
        unavailable(r, "the Cox model");
        figure_close(r, &cmd, NULL);
        sb_free(&cmd);
        return;
    }
    int cterm = colx(&t, "term"), chr = colx(&t, "hazard_ratio"), clo = colx(&t, "hr_lo"), chi = colx(&t, "hr_hi"),
        cp = colx(&t, "p"), cref = colx(&t, "reference");
    /* the strongest significant factor: the largest hazard ratio above 1,
     * else the smallest below 1 */
    size_t best = (size_t)-1;
    bool shorter = false;
    for (size_t i = 0; i < t.nrow; i++) {
        double hr = num(&t, i, chr), p = num(&t, i, cp);
        if (!(p < 0.05) || !isfinite(hr) || hr == 1)
            continue;
        if (hr > 1 && (!shorter || hr > num(&t, best, chr)))
            best = i, shorter = true;
        else if (hr < 1 && !shorter && (best == (size_t)-1 || hr < num(&t, best, chr)))
            best = i;
    }
    char line[1024];
    if (best == (size_t)-1)
        snprintf(line, sizeof line, "%s", W(r, M_COX_NONE));
    else {
        char term[300], hr[32], ci[96], pt[48];
        sbuf b = {0};
        snprintf(term, sizeof term, "\x01%s\x02", txt(&t, best, cterm) ? txt(&t, best, cterm) : "?");
        sb_num(&b, num(&t, best, chr), 2);
        snprintf(hr, sizeof hr, "%s", b.p ? b.p : "");
        b.len = 0;
        sb_num(&b, num(&t, best, clo), 2);
        sb_puts(&b, " … ");
        sb_num(&b, num(&t, best, chi), 2);
        snprintf(ci, sizeof ci, "\x03%s\x02", b.p ? b.p : "");
        sb_free(&b);
        p_phrase(pt, sizeof pt, num(&t, best, cp));
        bool factor = txt(&t, best, cterm) && strchr(txt(&t, best, cterm), '=');
        snprintf(line, sizeof line,
                 W(r, factor ? (shorter ? M_COX_SHORTER : M_COX_LONGER) : (shorter ? M_COX_SHORTER_NUM : M_COX_LONGER_NUM)),
                 term, hr, ci, pt);
    }
    sb_puts(&r->h, "<p class=\"verdict\">");
    esc_isolated(r, line);
    sb_puts(&r->h, "</p>\n<div class=\"scroll\"><table class=\"compact\" data-table=\"cox\">\n<thead><tr>");
    th(r, M_TERM), thn(r, M_HR), thn(r, M_CI95), thn(r, M_P);
    sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < t.nrow; i++) {
        sb_puts(&r->h, i == best ? "<tr class=\"strongest\"><th scope=\"row\"><bdi>" : "<tr><th scope=\"row\"><bdi>");
        esc(r, txt(&t, i, cterm));
        sb_puts(&r->h, "</bdi></th>");
        td_num(r, num(&t, i, chr), 2, NULL, NAN, false);
        ci_cell(r, num(&t, i, clo), num(&t, i, chi), 2);
        p_cell(r, num(&t, i, cp));
        sb_puts(&r->h, "</tr>\n");
    }
    sb_puts(&r->h, "</tbody></table></div>\n");
    /* the reference levels, once each */
    if (cref >= 0) {
        sbuf refs = {0};
        for (size_t i = 0; i < t.nrow; i++) {
            const char *ref = txt(&t, i, cref);
            bool seen = !ref || !*ref;
            for (size_t k = 0; k < i && !seen; k++)
                seen = txt(&t, k, cref) && strcmp(txt(&t, k, cref), ref) == 0;
            if (!seen)
                sb_printf(&refs, "%s\x01%s\x02", refs.len ? (r->ar ? "\u060c " : ", ") : "", ref);
        }
        if (refs.len && !refs.oom) {
            snprintf(line, sizeof line, W(r, M_REFERENCE), refs.p);
            sb_puts(&r->h, "<p class=\"note\">");
            esc_isolated(r, line);
            sb_puts(&r->h, "</p>\n");
        }
        sb_free(&refs);
    }
    sb_puts(&r->h, "<p class=\"note\">");
    esc(r, W(r, M_COX_TERMS));
    sb_puts(&r->h, "</p>\n");
    figure_close(r, &cmd, W(r, M_COX_NOTE));
    out_free(&t);
    sb_free(&cmd);
}

static void part_agents(report *r)
{
    out_table t;
    sbuf cmd = {0};
    section(r, "agents", M_AGENTS, M_AGENTS_INTRO);
    if (run(r, &t, &cmd, AS_OF | OFFSET, "metrics",
            (const char *const[]){"--measure", "contacts,handle_time,fcr,csat,nps", "--by", "agent", NULL}) !=
        EXIT_DONE) {
        unavailable(r, "the agents");
        sb_free(&cmd);
        sb_puts(&r->h, "</section>\n");
        return;
    }
    measure_bars(r, &t, &cmd, "agent", "fcr", "agents-fcr", W(r, M_AGENT_FCR), NULL, 0, 1, " %", NULL);
    sb_puts(&r->h, "<div class=\"card\"><div class=\"scroll\"><table data-table=\"agents\">\n<thead><tr>");
    th(r, M_AGENT), th(r, M_CONTACTS), th(r, M_HANDLE_MIN), th(r, M_FCR), th(r, M_CSAT), th(r, M_NPS);
    sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
    int ca = colx(&t, "agent");
    for (size_t i = 0; i < t.nrow; i++) {
        const char *a = txt(&t, i, ca);
        sb_puts(&r->h, "<tr><th scope=\"row\">");
        esc(r, a && *a ? a : W(r, M_NO_AGENT));
        sb_puts(&r->h, "</th>");
        td_num(r, numn(&t, i, "contacts_total"), 0, NULL, NAN, false);
        td_num(r, numn(&t, i, "handle_time_mean") / 60000.0, 1, NULL, numn(&t, i, "handle_time_n"),
               numn(&t, i, "handle_time_small") == 1);
        td_num(r, numn(&t, i, "fcr"), 1, " %", numn(&t, i, "fcr_n"), numn(&t, i, "fcr_small") == 1);
        td_num(r, numn(&t, i, "csat"), 1, " %", numn(&t, i, "csat_n"), numn(&t, i, "csat_small") == 1);
        td_num(r, numn(&t, i, "nps"), 1, NULL, numn(&t, i, "nps_n"), numn(&t, i, "nps_small") == 1);
        sb_puts(&r->h, "</tr>\n");
    }
    sb_puts(&r->h, "</tbody></table></div>\n");
    small_legend(r);
    sb_puts(&r->h, "<p class=\"cmd\"><span>");
    esc(r, W(r, M_COMMAND));
    sb_puts(&r->h, "</span> <code dir=\"ltr\">");
    sb_esc(&r->h, cmd.p, cmd.len);
    sb_puts(&r->h, "</code></p></div>\n");
    out_free(&t);
    sb_free(&cmd);
    sb_puts(&r->h, "</section>\n");
}

static enum msg care_kind(const char *k)
{
    static const struct {
        const char *name;
        enum msg m;
    } kinds[] = {{"detractor_after_case", M_CARE_DET}, {"repeat_contacts", M_CARE_REPEAT},
                 {"sla_breach", M_CARE_SLA},          {"high_effort", M_CARE_EFFORT},
                 {"activity_drop", M_CARE_DROP},      {"low_p_alive", M_CARE_ALIVE}};
    for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(k, kinds[i].name) == 0)
            return kinds[i].m;
    return M_COUNT;
}

static void part_care(report *r)
{
    out_table t;
    sbuf cmd = {0};
    section(r, "care", M_CARE, M_CARE_INTRO);
    if (run(r, &t, &cmd, AS_OF | OFFSET, "care", (const char *const[]){"--top", "20", NULL}) != EXIT_DONE) {
        unavailable(r, "the proactive-care list");
        sb_free(&cmd);
        sb_puts(&r->h, "</section>\n");
        return;
    }
    sb_puts(&r->h, "<div class=\"card\"><div class=\"scroll\"><table data-table=\"care\">\n<thead><tr>");
    th(r, M_CUSTOMER), th(r, M_KIND), th(r, M_PRIORITY), th(r, M_WHEN), th(r, M_REASON);
    sb_puts(&r->h, "</tr></thead>\n<tbody>\n");
    int cc = colx(&t, "customer"), ck = colx(&t, "kind_name"), cp = colx(&t, "priority"), ctm = colx(&t, "time"),
        cr = colx(&t, "reason");
    for (size_t i = 0; i < t.nrow; i++) {
        sb_puts(&r->h, "<tr><th scope=\"row\" dir=\"auto\">");
        esc(r, txt(&t, i, cc));
        sb_puts(&r->h, "</th>");
        enum msg k = care_kind(txt(&t, i, ck));
        td_text(r, k == M_COUNT ? txt(&t, i, ck) : W(r, k), false);
        td_num(r, num(&t, i, cp), 0, NULL, NAN, false);
        /* the time as a date in the report's offset */
        char day[40] = "–";
        double tm = num(&t, i, ctm);
        if (isfinite(tm)) {
            int64_t ms = (int64_t)tm + (int64_t)t.offset * 60000;
            int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
            /* civil date from days since 1970-01-01 */
            int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
            int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
            int64_t dd = doy - (153 * mp + 2) / 5 + 1, mm = mp < 10 ? mp + 3 : mp - 9;
            snprintf(day, sizeof day, "%04lld-%02lld-%02lld", (long long)(y + (mm <= 2)), (long long)mm, (long long)dd);
        }
        td_text(r, day, true);
        sb_puts(&r->h, "<td class=\"reason\" lang=\"en\" dir=\"ltr\">");
        esc(r, txt(&t, i, cr));
        sb_puts(&r->h, "</td></tr>\n");
    }
    sb_puts(&r->h, "</tbody></table></div>\n<p class=\"cmd\"><span>");
    esc(r, W(r, M_COMMAND));
    sb_puts(&r->h, "</span> <code dir=\"ltr\">");
    sb_esc(&r->h, cmd.p, cmd.len);
    sb_puts(&r->h, "</code></p></div>\n</section>\n");
    out_free(&t);
    sb_free(&cmd);
}

/* ---- the page ------------------------------------------------------------ */

static const char css[] =
    ":root{--ink:#1d2433;--muted:#5b6474;--line:#d9dee7;--card:#fff;--bg:#f4f6f9;--accent:#0072b2;--warn:#b35900}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,'Segoe UI',"
    "'Noto Sans','Noto Naskh Arabic','Noto Sans Arabic','DejaVu Sans',Tahoma,Arial,sans-serif}"
    "main{max-width:1120px;margin:0 auto;padding:16px}"
    "header h1{margin:8px 0 4px;font-size:1.6rem}"
    "header p{margin:0;color:var(--muted)}"
    "nav{margin:12px 0;display:flex;flex-wrap:wrap;gap:6px 14px;font-size:.9rem}"
    "nav a{color:var(--accent);text-decoration:none}"
    "h2{font-size:1.25rem;margin:28px 0 6px;padding-bottom:4px;border-bottom:2px solid var(--line)}"
    ".intro,.note{color:var(--muted);margin:4px 0 10px;font-size:.9rem}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px}"
    ".card,figure{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px;margin:0 0 14px}"
    "figcaption{font-weight:600;margin-bottom:6px}"
    "svg.chart{width:100%;height:auto;display:block}"
    ".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}"
    ".kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}"
    ".kpi.small{border-style:dashed}"
    ".kpi-name{font-weight:600;color:var(--muted)}"
    ".kpi-value{font-size:2rem;font-weight:700;text-align:start}"
    ".kpi-ci,.kpi-note{font-size:.85rem;color:var(--muted)}"
    ".small-badge{display:inline-block;font-size:.72rem;padding:0 6px;border-radius:8px;background:#fde9d7;"
    "color:var(--warn);border:1px solid #f3c39c;margin-inline-start:4px;white-space:nowrap}"
    ".cmd{font-size:.78rem;color:var(--muted);margin:6px 0 0}"
    ".cmd code{display:inline-block;max-width:100%;vertical-align:top;direction:ltr;text-align:left;background:#eef1f5;"
    "padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}"
    ".unavailable{background:#fff4e5;border:1px solid #f3c39c;padding:8px;border-radius:6px}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:.88rem}"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:start;vertical-align:top}"
    "thead th{background:#eef1f5;position:sticky;top:0}"
    "td.num{text-align:end;white-space:nowrap;font-variant-numeric:tabular-nums}"
    "td.reason ul{margin:0;padding-inline-start:16px}"
    ".ci,.n{color:var(--muted);font-size:.78rem}"
    ".small-n{color:var(--warn);border-bottom:1px dashed var(--warn)}"
    "figure.wide svg.chart,svg.chart[data-chart=attribution]{max-width:760px;margin:0 auto}"
    "footer{color:var(--muted);font-size:.8rem;margin:24px 0}"
    "h3{font-size:1rem;margin:0 0 6px}.verdict{margin:4px 0 8px;font-weight:600}"
    ".caution{color:var(--warn)}table.compact{width:auto;min-width:280px}th.num{text-align:end}"
    "th[scope=row]{white-space:nowrap}"
    ".side{display:flex;flex-wrap:wrap;gap:12px 20px;align-items:flex-start}"
    ".side>svg.chart{flex:1 1 560px;min-width:0}.side>.beside{flex:1 1 340px;min-width:0}"
    "tr.strongest th,tr.strongest td{background:#fff4e5}"
    "@media (max-width:600px){main{padding:8px}.grid{grid-template-columns:1fr}.kpi-value{font-size:1.6rem}"
    "th,td{padding:4px 5px}}"
    "@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}nav{display:none}"
    ".card,figure,.kpi{break-inside:avoid;border-color:#bbb}section{break-before:auto}h2{break-after:avoid}"
    "thead th{position:static}}";

/* The first and last dates of the records, for the header. */
static void data_range(report *r, char *from, char *to, size_t cap)
{
    out_table t;
    sbuf cmd = {0};
    snprintf(from, cap, "–");
    snprintf(to, cap, "–");
    if (run(r, &t, &cmd, OFFSET, "metrics", (const char *const[]){"--measure", "contacts", "--by", "month", NULL}) ==
        EXIT_DONE) {
        int cl = colx(&t, "month_label");
        if (t.nrow && txt(&t, 0, cl) && txt(&t, t.nrow - 1, cl)) {
            snprintf(from, cap, "%s", txt(&t, 0, cl));
            snprintf(to, cap, "%s", txt(&t, t.nrow - 1, cl));
        }
        out_free(&t);
    } else
        r->parts_failed--; /* only the header's range */
    sb_free(&cmd);
}

static void page(report *r)
{
    char from[64], to[64], line[256];
    sb_printf(&r->h, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
              r->ar ? "ar" : "en", r->ar ? "rtl" : "ltr");
    sb_puts(&r->h, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                   "'unsafe-inline'; img-src data:\">\n<title>");
    esc(r, r->title ? r->title : W(r, M_TITLE));
    sb_printf(&r->h, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", css);
    esc(r, r->title ? r->title : W(r, M_TITLE));
    sb_puts(&r->h, "</h1>\n<p>");
    esc(r, W(r, M_SUBTITLE));
    sb_puts(&r->h, ": <code dir=\"ltr\">");
    const char *base = strrchr(r->db, '/');
    esc(r, base ? base + 1 : r->db);
    sb_puts(&r->h, "</code> · ");
    data_range(r, from, to, sizeof from);
    snprintf(line, sizeof line, W(r, M_RECORDS_TO), from, to);
    esc(r, line);
    sb_puts(&r->h, " · ");
    snprintf(line, sizeof line, W(r, M_OFFSET), r->offset && strcmp(r->offset, "Z") ? r->offset : "");
    esc(r, line);
    sb_puts(&r->h, "</p>\n</header>\n<nav aria-label=\"");
    esc(r, W(r, M_CONTENTS));
    sb_puts(&r->h, "\">");
    static const struct {
        const char *id;
        enum msg m;
    } toc[] = {{"headline", M_HEADLINE}, {"trend", M_TREND},           {"channels", M_CHANNELS},
               {"journeys", M_JOURNEYS}, {"pain-points", M_PAIN},      {"voice", M_VOICE},
               {"retention", M_RETENTION}, {"survival", M_SURV_SECTION},
               {"agents", M_AGENTS},     {"care", M_CARE}};
    for (size_t i = 0; i < sizeof toc / sizeof toc[0]; i++) {
        sb_printf(&r->h, "<a href=\"#%s\">", toc[i].id);
        esc(r, W(r, toc[i].m));
        sb_puts(&r->h, "</a>");
    }
    sb_puts(&r->h, "</nav>\n");

    part_headline(r);
    part_trend(r);
    part_channels(r);
    section(r, "journeys", M_JOURNEYS, M_JOURNEYS_INTRO);
    part_funnel(r);
    part_sankey(r);
    part_attribution(r);
    sb_puts(&r->h, "</section>\n");
    part_pain(r);
    part_voice(r);
    part_retention(r);
    part_survival(r);
    part_lifecycle(r);
    part_cox(r);
    sb_puts(&r->h, "</section>\n");
    part_agents(r);
    part_care(r);
    sb_puts(&r->h, "<footer>");
    snprintf(line, sizeof line, W(r, M_FOOTER), cx_version_string());
    esc(r, line);
    sb_puts(&r->h, "</footer>\n</main>\n</body>\n</html>\n");
}

/* ---- writing the file ---------------------------------------------------- */

/* Writes the page to a temporary file beside `path`, then renames it over
 * `path`: the file is whole or not there. */
static int write_file(const char *path, const sbuf *b)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return fail("out of memory");
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return fail("cannot write %s: %s", path, strerror(e));
    }
    FILE *f = fdopen(fd, "wb");
    bool ok = f && fwrite(b->p, 1, b->len, f) == b->len;
    ok = f && fflush(f) == 0 && ok;
    int e = errno;
    if (f)
        ok = fclose(f) == 0 && ok;
    else
        close(fd);
    if (ok && chmod(tmp, 0644) != 0)
        ok = false, e = errno;
    if (ok && rename(tmp, path) != 0)
        ok = false, e = errno;
    if (!ok) {
        remove(tmp);
        free(tmp);
        return fail("cannot write %s: %s", path, strerror(e));
    }
    free(tmp);
    return EXIT_DONE;
}

static void print_headline(const report *r, const char *out)
{
    static const char *const names[4] = {"NPS ", "CSAT", "CES ", "FCR "};
    for (int i = 0; i < 4; i++) {
        sbuf b = {0};
        sb_num(&b, r->head[i], head_digits[i]);
        sb_puts(&b, isfinite(r->head[i]) ? head_unit[i] : "");
        sb_puts(&b, "  (95 % interval ");
        sb_num(&b, r->head_lo[i], head_digits[i]);
        sb_puts(&b, " to ");
        sb_num(&b, r->head_hi[i], head_digits[i]);
        sb_puts(&b, ", n = ");
        sb_num(&b, r->head_n[i], 0);
        sb_puts(&b, ")");
        printf("%s  %s%s\n", names[i], i == 0 && r->head[i] > 0 ? "+" : "", b.p ? b.p : "");
        sb_free(&b);
    }
    if (r->first_pain[0])
        printf("first pain point: %s\n", r->first_pain);
    printf("report (%s): %s\n", r->ar ? "Arabic" : "English", out);
}

int cmd_report(int argc, char **argv)
{
    report r;
    memset(&r, 0, sizeof r);
    const char *out = NULL, *lang = "en";
    const char **steps = calloc((size_t)argc + 1, sizeof *steps);
    int npos = 0, rc = EXIT_DONE;
    if (!steps)
        return fail("out of memory");
    r.steps = steps;
    for (int i = 0; i < argc && rc == EXIT_DONE; i++) {
        const char *a = argv[i];
        const char **val = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ? &out
                           : strcmp(a, "--lang") == 0                          ? &lang
                           : strcmp(a, "--as-of") == 0                         ? &r.as_of
                           : strcmp(a, "--offset") == 0                        ? &r.offset
                           : strcmp(a, "--by") == 0                            ? &r.by
                           : strcmp(a, "--title") == 0                         ? &r.title
                           : strcmp(a, "--step") == 0                          ? &steps[r.nsteps]
                                                                               : NULL;
        if (val) {
            if (i + 1 >= argc)
                rc = usage_error("%s needs a value", a);
            else {
                *val = argv[++i];
                if (val == &steps[r.nsteps])
                    r.nsteps++;
            }
        } else if (a[0] == '-' && a[1])
            rc = usage_error("unknown option '%s'", a);
        else if (npos++ == 0)
            r.db = a;
        else
            rc = usage_error("unexpected argument '%s'", a);
    }
    if (rc == EXIT_DONE && !r.db)
        rc = usage_error("%s", "DB is missing");
    else if (rc == EXIT_DONE && !out)
        rc = usage_error("%s", "where to write the report? give -o FILE");
    else if (rc == EXIT_DONE && strcmp(lang, "en") != 0 && strcmp(lang, "ar") != 0)
        rc = usage_error("unknown language '%s': give en or ar", lang);
    else if (rc == EXIT_DONE && r.nsteps == 1)
        rc = usage_error("%s", "a funnel needs two --step or more");
    struct stat st;
    if (rc == EXIT_DONE && stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        rc = fail("%s is a directory: give a file name for the report", out);
    if (rc == EXIT_DONE) {
        /* the folder must be writable before the work is done */
        char *dir = strdup(out);
        if (!dir)
            rc = fail("out of memory");
        else {
            char *slash = strrchr(dir, '/');
            const char *d = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
            if (access(d, W_OK | X_OK) != 0)
                rc = fail("cannot write %s: %s", out, strerror(errno));
            free(dir);
        }
    }
    if (rc == EXIT_DONE)
        rc = analysis_open_db(&r.s, r.db);
    if (rc == EXIT_DONE) {
        r.ar = strcmp(lang, "ar") == 0;
        r.w = r.ar ? words_ar : words_en;
        r.ctx.rtl = r.ar;
        r.ctx.no_data = W(&r, M_NO_DATA);
        r.ctx.small_note = W(&r, M_SMALL_NOTE);
        r.ctx.n_label = W(&r, M_N);
        r.ctx.at_risk = W(&r, M_AT_RISK);
        page(&r);
        if (r.usage_rc)
            rc = r.usage_rc; /* an option an analysis refused (its message is printed) */
        else if (r.h.oom)
            rc = fail("out of memory");
        else
            rc = write_file(out, &r.h);
        if (rc == EXIT_DONE) {
            char *abs = realpath(out, NULL);
            print_headline(&r, abs ? abs : out);
            free(abs);
            if (r.parts_failed > 0)
                fprintf(stderr, "cxkit report: %d part%s of the report could not be computed (said in place)\n",
                        r.parts_failed, r.parts_failed == 1 ? "" : "s");
        }
        cx_store_free(r.s);
    }
    sb_free(&r.h);
    free(steps);
    return rc;
}
