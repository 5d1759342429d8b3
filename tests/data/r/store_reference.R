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
# service signals, each up to the customer's own exit (and before as_of)
win <- function(cust, t) { e <- s$exit[match(cust, s$customer)]; !is.na(e) & t < as_of & t <= e }
f <- fb[win(fb$customer, fb$time), ]
nps_n <- tapply(f$score, f$customer, length); det <- tapply(f$score <= 6, f$customer, sum)
s$detractor_share <- ifelse(is.na(nps_n[s$customer]), 0, det[s$customer] / nps_n[s$customer])
s$detractor <- as.integer(!is.na(det[s$customer]) & det[s$customer] > 0)
k <- ca[win(ca$customer, ca$opened), ]
s$cases <- ifelse(is.na(tapply(k$opened, k$customer, length)[s$customer]), 0, tapply(k$opened, k$customer, length)[s$customer])
s$reopens <- ifelse(is.na(tapply(k$reopens, k$customer, sum)[s$customer]), 0, tapply(k$reopens, k$customer, sum)[s$customer])
kr <- k[!is.na(k$resolved) & win(k$customer, k$resolved), ]
mh <- tapply((kr$resolved - kr$opened) / 3600, kr$customer, mean)
s$resolution_hours <- ifelse(is.na(mh[s$customer]), 0, mh[s$customer])
g <- it[win(it$customer, it$time), ]
g$chat <- tp$channel[match(g$touchpoint, tp$name)] == "chat"
sh <- tapply(g$chat, g$customer, mean)
s$chat_share <- ifelse(is.na(sh[s$customer]), 0, sh[s$customer])
s$plan <- relevel(factor(s$plan), "basic")

cat("== subjects\n")
cat("n", nrow(s), "events", sum(s$event), "late", sum(s$entry > 0), "\n")
cat("sum time", format(sum(s$time), digits = 15), "sum entry", format(sum(s$entry), digits = 15), "\n")
print(head(s[, c("customer", "segment", "entry", "time", "event", "detractor_share", "cases", "resolution_hours",
                 "reopens", "chat_share")], 8))
cat("sums: detractor", sum(s$detractor), "detractor_share", format(sum(s$detractor_share), digits = 15),
    "cases", sum(s$cases), "reopens", sum(s$reopens), "resolution_hours", format(sum(s$resolution_hours), digits = 15),
    "chat_share", format(sum(s$chat_share), digits = 15), "\n")

cat("== Kaplan-Meier by segment, late entry\n")
km <- survfit(Surv(entry, time, event) ~ segment, data = s, conf.type = "log-log")
print(summary(km, times = c(30, 180, 365, 730)))
print(km)
cat("== Kaplan-Meier without late entry (the survivors counted from their acquisition)\n")
print(survfit(Surv(time, event) ~ 1, data = s))

cat("== Cox, Efron\n")
fit <- coxph(Surv(entry, time, event) ~ plan + income + detractor_share + cases + resolution_hours + reopens + chat_share,
             data = s, ties = "efron")
print(summary(fit)$coefficients, digits = 10)
cat("loglik", format(fit$loglik, digits = 12), "\n")
cat("== Cox, Breslow, strata(segment), detractor\n")
fit2 <- coxph(Surv(entry, time, event) ~ plan + detractor + strata(segment), data = s, ties = "breslow")
print(summary(fit2)$coefficients, digits = 10)
cat("loglik", format(fit2$loglik, digits = 12), "\n")
