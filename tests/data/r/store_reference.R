# Reference numbers for the survival analyses of a store (issue 16):
# cx_survival_subjects(), late entry at the store level
# (cx_survival_options_set_observed_from) and cx_cox_fit_store(), pinned in
# tests/test_survival.c (store_* cases). Run from the source root:
#   Rscript tests/data/r/store_reference.R > tests/data/r/store_reference.out
# It generates a CRM-like store (set.seed(1616)) as CSV files, then derives
# each customer's subject (start, exit, churn, late entry) and service
# signals from the raw rows by the documented definitions, independently of
# cxkit, and fits survfit / coxph on them.
suppressMessages(library(survival))
options(digits = 10, width = 150)
dir <- "tests/data/r"
set.seed(1616)

day <- 86400
t0 <- as.numeric(as.POSIXct("2022-01-01", tz = "UTC"))
from <- as.numeric(as.POSIXct("2024-01-01", tz = "UTC"))   # the data begin (the migration)
as_of <- as.numeric(as.POSIXct("2025-01-01", tz = "UTC"))
inactivity <- 90 * day
n <- 400
hour <- function(k) round(runif(k, 0, 24 * 3600))

cu <- data.frame(id = sprintf("C%04d", 1:n),
                 segment = sample(c("consumer", "smb", "enterprise"), n, TRUE, c(0.5, 0.3, 0.2)),
                 plan = sample(c("basic", "plus", "pro"), n, TRUE))
cu$acquired <- t0 + floor(runif(n, 0, 1000)) * day + hour(n)
cu$income <- round(rlnorm(n, 3, 0.4), 1)
mood <- rbeta(n, 2, 3)           # propensity to answer 0-6
chat <- runif(n)                 # propensity to use chat
rate <- exp(-5.2 + 0.6 * (cu$plan == "basic") - 0.4 * (cu$plan == "pro") + 1.2 * mood - 0.01 * cu$income)
cu$true_end <- cu$acquired + rexp(n, rate) * day   # the real churn, unseen
tr <- fb <- ca <- it <- list()
for (i in 1:n) {
  lo <- max(cu$acquired[i], from); hi <- min(cu$true_end[i], as_of)
  if (hi <= lo) next
  span <- hi - lo
  k <- rpois(1, span / (30 * day)) + 1
  tr[[i]] <- data.frame(customer = cu$id[i], time = round(lo + sort(runif(k, 0, span))), amount = round(rexp(k, 1 / 40), 2))
  k <- rpois(1, 2)
  if (k) fb[[i]] <- data.frame(customer = cu$id[i], question = "nps",
                               score = ifelse(runif(k) < mood[i], sample(0:6, k, TRUE), sample(7:10, k, TRUE)),
                               time = round(lo + runif(k, 0, span * 1.2)))
  k <- rpois(1, 1.5)
  if (k) {
    op <- round(lo + runif(k, 0, span * 1.1))
    ca[[i]] <- data.frame(customer = cu$id[i], channel = sample(c("chat", "phone", "email"), k, TRUE), opened = op,
                          resolved = ifelse(runif(k) < 0.85, op + round(rexp(k, 1 / (30 * 3600))), NA),
                          reopens = rpois(k, 0.3))
  }
  k <- rpois(1, 4)
  if (k) it[[i]] <- data.frame(customer = cu$id[i],
                               touchpoint = ifelse(runif(k) < chat[i], "live_chat", sample(c("web_home", "call"), k, TRUE)),
                               time = round(lo + runif(k, 0, span * 1.1)), direction = sample(c("inbound", "outbound"), k, TRUE))
}
tr <- do.call(rbind, tr); fb <- do.call(rbind, fb); ca <- do.call(rbind, ca); it <- do.call(rbind, it)
ca$id <- sprintf("K%05d", seq_len(nrow(ca)))
tp <- data.frame(name = c("web_home", "live_chat", "call"), channel = c("web", "chat", "phone"),
                 stage = c("awareness", "service", "service"))
w <- function(d, f) write.csv(d, file.path(dir, f), row.names = FALSE, quote = FALSE, na = "")
w(cu[, c("id", "segment", "plan", "acquired", "income")], "store_customers.csv")
w(tp, "store_touchpoints.csv")
w(ca[, c("id", "customer", "channel", "opened", "resolved", "reopens")], "store_cases.csv")
w(it, "store_interactions.csv")
w(fb, "store_feedback.csv")
w(tr, "store_transactions.csv")

# ---- the subjects, from the raw rows (the definitions of cx_survival_from_store)
r <- function(f) read.csv(file.path(dir, f), stringsAsFactors = FALSE)
cu <- r("store_customers.csv"); tr <- r("store_transactions.csv"); fb <- r("store_feedback.csv")
ca <- r("store_cases.csv"); it <- r("store_interactions.csv"); tp <- r("store_touchpoints.csv")
tr <- tr[tr$time < as_of, ]
last <- tapply(tr$time, tr$customer, max)
s <- data.frame(customer = cu$id, segment = cu$segment, plan = cu$plan, income = cu$income, start = cu$acquired)
s$last <- pmax(ifelse(is.na(last[s$customer]), -Inf, last[s$customer]), s$start)
s$event <- as.integer(as_of - s$last > inactivity)
s$exit <- ifelse(s$event == 1, s$last, as_of)
s <- s[s$start <= as_of & !(s$start < from & s$exit <= from), ]
s$entry <- ifelse(s$start < from, (from - s$start) / day, 0)
s$time <- (s$exit - s$start) / day
s$plan <- relevel(factor(s$plan), "basic")
# ---- the service signals as time-varying covariates: counting-process rows
# (start, stop], as tmerge(), built by hand from the raw rows. A record of a
# customer counts in its window (before as_of, at or before its exit), at
# u = its time since the customer's start, in days: an NPS answer
# (detractor, detractor_share), a case opened (cases; reopens, counted at the
# opening: the store keeps a count per case, no times), a case resolved
# (resolution_hours), an interaction (chat_share). Each record strictly inside
# (first start, exit) splits the subject's time there; a row's values are the
# values as of its start (records at or before it), the event is on the last
# row, the first row starts at the late entry (else 0).
ok <- function(cust, t) { e <- s$exit[match(cust, s$customer)]; !is.na(e) & t < as_of & t <= e }
st <- function(cust) s$start[match(cust, s$customer)]
f <- fb[ok(fb$customer, fb$time), ]
k <- ca[ok(ca$customer, ca$opened), ]
kr <- k[!is.na(k$resolved) & ok(k$customer, k$resolved), ]
g <- it[ok(it$customer, it$time), ]
g$chat <- tp$channel[match(g$touchpoint, tp$name)] == "chat"
rec <- rbind(
  data.frame(customer = f$customer, u = (f$time - st(f$customer)) / day, sig = "nps", x = as.numeric(f$score <= 6)),
  data.frame(customer = k$customer, u = (k$opened - st(k$customer)) / day, sig = "case", x = k$reopens),
  data.frame(customer = kr$customer, u = (kr$resolved - st(kr$customer)) / day, sig = "resolved",
             x = (kr$resolved - kr$opened) / 3600),
  data.frame(customer = g$customer, u = (g$time - st(g$customer)) / day, sig = "interaction", x = as.numeric(g$chat)))
avg <- function(x) if (length(x)) mean(x) else 0
cp <- do.call(rbind, lapply(seq_len(nrow(s)), function(i) {
  lo <- s$entry[i]; hi <- s$time[i]
  r <- rec[rec$customer == s$customer[i], ]
  cut <- sort(unique(r$u[r$u > lo & r$u < hi]))
  a <- c(lo, cut)
  v <- function(sig, fun) sapply(a, function(t) fun(r$x[r$sig == sig & r$u <= t]))
  data.frame(customer = s$customer[i], tstart = a, tstop = c(cut, hi), event = c(rep(0L, length(cut)), s$event[i]),
             plan = s$plan[i], income = s$income[i], segment = s$segment[i],
             detractor = v("nps", function(x) as.integer(sum(x) > 0)), detractor_share = v("nps", avg),
             cases = v("case", length), reopens = v("case", sum), resolution_hours = v("resolved", avg),
             chat_share = v("interaction", avg))
}))

cat("== subjects\n")
cat("n", nrow(s), "events", sum(s$event), "late", sum(s$entry > 0), "\n")
cat("sum time", format(sum(s$time), digits = 15), "sum entry", format(sum(s$entry), digits = 15), "\n")
print(head(s[, c("customer", "segment", "entry", "time", "event")], 8))
cat("== counting-process rows\n")
cat("rows", nrow(cp), "events", sum(cp$event), "\n")
print(head(cp, 8))
cat("sums over rows: detractor", sum(cp$detractor), "detractor_share", format(sum(cp$detractor_share), digits = 15),
    "cases", sum(cp$cases), "reopens", sum(cp$reopens), "resolution_hours", format(sum(cp$resolution_hours), digits = 15),
    "chat_share", format(sum(cp$chat_share), digits = 15), "\n")

cat("== Kaplan-Meier by segment, late entry\n")
km <- survfit(Surv(entry, time, event) ~ segment, data = s, conf.type = "log-log")
print(summary(km, times = c(30, 180, 365, 730)))
print(km)
cat("== Kaplan-Meier without late entry (the survivors counted from their acquisition)\n")
print(survfit(Surv(time, event) ~ 1, data = s))

cat("== Cox, Efron, time-varying signals, cluster(customer)\n")
fit <- coxph(Surv(tstart, tstop, event) ~ plan + income + detractor_share + cases + resolution_hours + reopens +
             chat_share, data = cp, ties = "efron", cluster = customer)
print(summary(fit)$coefficients, digits = 10)
cat("loglik", format(fit$loglik, digits = 12), "\n")
cat("== Cox, Breslow, strata(segment), time-varying detractor, cluster(customer)\n")
fit2 <- coxph(Surv(tstart, tstop, event) ~ plan + detractor + strata(segment), data = cp, ties = "breslow",
              cluster = customer)
print(summary(fit2)$coefficients, digits = 10)
cat("loglik", format(fit2$loglik, digits = 12), "\n")
