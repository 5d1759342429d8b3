# Reference numbers for tests/test_survival.c and the bindings' survival tests.
# Run from the source root:  Rscript tests/data/r/survival_reference.R > tests/data/r/survival_reference.out
# R 4.2.2, survival 3.5.3 (Debian bookworm: r-base-core, r-cran-survival).
# Data: aml.csv (R survival's aml via Rdatasets), anderson.csv, lymphoma.csv,
# multicenter_aids_cohort.tsv (lifelines' data sets), and generated.csv, made
# below (set.seed(16)): 3 groups, 2 strata, late entry, tied integer times.
suppressMessages(library(survival))
options(digits = 10, width = 150)
dir <- "tests/data/r"

set.seed(16)
n <- 120
gen <- data.frame(group = sample(0:2, n, TRUE), stratum = sample(0:1, n, TRUE))
gen$entry <- ifelse(runif(n) < 0.4, round(runif(n, 0, 6)), 0)
gen$time <- gen$entry + 1 + round(rexp(n, 1 / (8 + 4 * gen$group - 3 * gen$stratum)))
gen$event <- as.integer(runif(n) < 0.75)
write.csv(gen, file.path(dir, "generated.csv"), row.names = FALSE, quote = FALSE)
gen <- read.csv(file.path(dir, "generated.csv"))

cat("== 1. Kaplan-Meier\n")
aml <- read.csv(file.path(dir, "aml.csv"))
f <- survfit(Surv(time, cens) ~ group, data = aml, conf.type = "log")
print(summary(f))
f0 <- survfit0(f)
print(data.frame(strata = rep(names(f0$strata), f0$strata), time = f0$time, n.risk = f0$n.risk,
                 n.event = f0$n.event, surv = f0$surv, std.err.S = f0$surv * f0$std.err))
aids <- read.delim(file.path(dir, "multicenter_aids_cohort.tsv"))
fa <- survfit(Surv(W, T, D) ~ 1, data = aids, conf.type = "log")
print(summary(fa))
print(summary(survfit0(fa), times = 0))
fg <- survfit(Surv(entry, time, event) ~ group, data = gen, conf.type = "log-log")
print(summary(fg))

cat("== 2. log-rank family\n")
# The weighted log-rank statistic from the definitions, with late entry
# (at risk at t: entry < t <= time) and strata (statistics summed over strata).
# weight: "fh" S(t-)^p (1 - S(t-))^q with S the pooled Kaplan-Meier of the
# stratum; "gehan" n(t); "tw" sqrt(n(t)); "pp" prod_{t_j <= t} (1 - d_j / (n_j + 1)).
wlr <- function(entry, time, event, group, strata, weight = "fh", p = 0, q = 0) {
  lev <- sort(unique(group)); k <- length(lev)
  O <- E <- numeric(k); V <- matrix(0, k, k)
  for (s in unique(strata)) {
    i <- strata == s
    en <- entry[i]; ti <- time[i]; ev <- event[i]; gr <- match(group[i], lev)
    ts <- sort(unique(ti[ev == 1]))
    S <- 1; Spp <- 1
    for (t in ts) {
      risk <- en < t & ti >= t
      nt <- sum(risk); dt <- sum(ti == t & ev == 1)
      ng <- tabulate(gr[risk], k); dg <- tabulate(gr[ti == t & ev == 1], k)
      Spp <- Spp * (1 - dt / (nt + 1))
      w <- switch(weight, fh = S^p * (1 - S)^q, gehan = nt, tw = sqrt(nt), pp = Spp)
      O <- O + w * dg; E <- E + w * dt * ng / nt
      if (nt > 1) V <- V + w^2 * dt * (nt - dt) / (nt - 1) * (diag(ng / nt) - outer(ng / nt, ng / nt))
      S <- S * (1 - dt / nt)
    }
  }
  m <- k - 1
  chi <- drop(t(O - E)[1:m] %*% solve(V[1:m, 1:m, drop = FALSE], (O - E)[1:m]))
  list(obs = O, exp = E, var = V, chisq = chi, df = m, p = pchisq(chi, m, lower.tail = FALSE))
}
show <- function(label, r) {
  cat("--", label, "\n"); print(r)
}
and <- read.table(file.path(dir, "anderson.csv"), header = TRUE)
for (rho in c(0, 1)) {
  sd <- survdiff(Surv(t, status) ~ Rx, data = and, rho = rho)
  show(sprintf("anderson Rx survdiff rho=%g", rho), sd); print(sd$var)
  show(sprintf("anderson Rx wlr fh(%g,0)", rho), wlr(rep(0, nrow(and)), and$t, and$status, and$Rx, rep(0, nrow(and)), "fh", rho, 0))
}
sd <- survdiff(Surv(t, status) ~ Rx + strata(sex), data = and)
show("anderson Rx strata(sex) survdiff", sd); print(sd$var)
show("anderson Rx strata(sex) wlr", wlr(rep(0, nrow(and)), and$t, and$status, and$Rx, and$sex))
ly <- read.csv(file.path(dir, "lymphoma.csv"))
sd <- survdiff(Surv(Time, Censor) ~ Stage_group, data = ly, rho = 0.5)
show("lymphoma survdiff rho=0.5", sd); print(sd$var)
z <- rep(0, nrow(ly))
for (w in list(c("fh", 0.5, 0), c("fh", 1, 1), c("fh", 0, 1), c("gehan", 0, 0), c("tw", 0, 0), c("pp", 0, 0)))
  show(paste("lymphoma wlr", paste(w, collapse = " ")),
       wlr(z, ly$Time, ly$Censor, ly$Stage_group, z, w[1], as.numeric(w[2]), as.numeric(w[3])))
sd <- survdiff(Surv(time, event) ~ group + strata(stratum), data = gen, rho = 1)
show("generated (no entry) strata survdiff rho=1", sd); print(sd$var)
show("generated (no entry) strata wlr fh(1,0)", wlr(rep(0, n), gen$time, gen$event, gen$group, gen$stratum, "fh", 1, 0))
for (w in list(c("fh", 0, 0), c("fh", 1, 0), c("fh", 1, 1), c("gehan", 0, 0), c("tw", 0, 0), c("pp", 0, 0)))
  show(paste("generated late entry strata wlr", paste(w, collapse = " ")),
       wlr(gen$entry, gen$time, gen$event, gen$group, gen$stratum, w[1], as.numeric(w[2]), as.numeric(w[3])))

cat("== 3. Cox proportional hazards\n")
options(digits = 10)
coxshow <- function(label, fit) {
  cat("--", label, "\n")
  s <- summary(fit)
  print(s$coefficients)
  print(s$conf.int)
  cat("loglik", fit$loglik, "iter", fit$iter, "\n")
  cat("lr", s$logtest, "\nwald", s$waldtest, "\nscore", s$sctest, "\n")
  cat("wald unrounded", drop(coef(fit) %*% solve(vcov(fit), coef(fit))), "\n")
}
f1 <- coxph(Surv(t, status) ~ Rx + logWBC + sex, data = and)
coxshow("anderson efron", f1)
f1r <- coxph(Surv(t, status) ~ Rx + logWBC + sex, data = and, robust = TRUE)
cat("robust se", sqrt(diag(f1r$var)), "\n")
coxshow("anderson breslow", coxph(Surv(t, status) ~ Rx + logWBC + sex, data = and, ties = "breslow"))
cat("breslow robust se", sqrt(diag(coxph(Surv(t, status) ~ Rx + logWBC + sex, data = and, ties = "breslow", robust = TRUE)$var)), "\n")
sf <- survfit(f1, newdata = data.frame(Rx = 1, logWBC = 3, sex = 0))
print(summary(sf, times = c(5, 10, 20)))
# the baseline at the column means of all covariates (coxph's own $means
# put 0/1 covariates at 0, which basehaz(centered = TRUE) follows)
bh <- basehaz(f1, newdata = as.data.frame(t(colMeans(and[, c("Rx", "logWBC", "sex")]))))
print(head(bh, 5), digits = 12)
gen$fgroup <- factor(gen$group)
f2 <- coxph(Surv(entry, time, event) ~ fgroup + strata(stratum), data = gen)
coxshow("generated late entry, strata, factor(group) efron", f2)
cat("robust se", sqrt(diag(coxph(Surv(entry, time, event) ~ fgroup + strata(stratum), data = gen, id = seq_len(nrow(gen)), robust = TRUE)$var)), "\n")
f3 <- coxph(Surv(entry, time, event) ~ fgroup + strata(stratum), data = gen, ties = "breslow")
coxshow("generated late entry, strata, breslow", f3)
cat("breslow robust se", sqrt(diag(coxph(Surv(entry, time, event) ~ fgroup + strata(stratum), data = gen, ties = "breslow", id = seq_len(nrow(gen)), robust = TRUE)$var)), "\n")
sf3 <- survfit(f3, newdata = data.frame(fgroup = factor(2, levels = 0:2), stratum = 1))
print(summary(sf3, times = c(5, 10, 20)))

cat("== 3b. cox.zph (the score test of survival >= 3)\n")
for (tr in c("km", "identity")) {
  cat("-- anderson efron", tr, "\n"); print(cox.zph(f1, transform = tr)$table, digits = 10)
  cat("-- generated efron", tr, "\n"); print(cox.zph(f2, transform = tr)$table, digits = 10)
  cat("-- generated breslow", tr, "\n"); print(cox.zph(f3, transform = tr)$table, digits = 10)
}

cat("== 3c. Cox with relative risks spanning e^47 and late entry (wide_risk.csv)\n")
# Made here (set.seed(17)): 150 subjects, score 0..30, those above 20 moved
# to 40..50 and entering late (40..60) to die soon after, the others from 0;
# censored at 100; no tied deaths. The reference is the partial likelihood
# summed directly over each risk set (the variance centred in each: two
# passes), Newton to convergence, and the robust variance from the score
# residuals so summed: coxph's running sums (agreg.fit) lose the small risk
# sets once the late entrants have left them, and its fit is printed beside
# for comparison (it stops at 0.93092, not converged).
set.seed(17)
nw <- 150
wide <- data.frame(score = round(runif(nw, 0, 30), 1))
late <- wide$score > 20
wide$entry <- ifelse(late, round(runif(nw, 40, 60), 2), 0)
wide$score <- ifelse(late, wide$score + 20, wide$score)
life <- wide$entry + rexp(nw, 0.02 * exp(wide$score - 15))
wide$time <- pmax(round(pmin(life, 100), 2), wide$entry + 0.01)
wide$event <- as.integer(life < 100)
write.csv(wide, file.path(dir, "wide_risk.csv"), row.names = FALSE, quote = FALSE)
wide <- read.csv(file.path(dir, "wide_risk.csv"))
wx <- wide$score
wdeaths <- which(wide$event == 1)
wrisk <- lapply(wdeaths, function(i) which(wide$entry < wide$time[i] & wide$time >= wide$time[i]))
wderivs <- function(b) {
  l <- 0; u <- 0; inf <- 0
  for (k in seq_along(wdeaths)) {
    i <- wdeaths[k]; r <- wrisk[[k]]; w <- exp(b * (wx[r] - 40)); s0 <- sum(w); xb <- sum(w * wx[r]) / s0
    l <- l + b * (wx[i] - 40) - log(s0); u <- u + wx[i] - xb; inf <- inf + sum(w * (wx[r] - xb)^2) / s0
  }
  c(l, u, inf)
}
wb <- 0
for (it in 1:50) { dv <- wderivs(wb); wb <- wb + dv[2] / dv[3] }
dv <- wderivs(wb)
wL <- numeric(nw)
for (k in seq_along(wdeaths)) {
  i <- wdeaths[k]; r <- wrisk[[k]]; w <- exp(wb * (wx[r] - 40)); s0 <- sum(w); xb <- sum(w * wx[r]) / s0
  wL[i] <- wL[i] + wx[i] - xb
  wL[r] <- wL[r] - w / s0 * (wx[r] - xb)
}
cat(sprintf("direct sums: coef %.12g se %.12g robust se %.12g loglik0 %.13g loglik %.13g score %.3g\n", wb,
            1 / sqrt(dv[3]), sqrt(sum(wL^2)) / dv[3], wderivs(0)[1], dv[1], dv[2]))
fw <- suppressWarnings(coxph(Surv(entry, time, event) ~ score, data = wide, robust = TRUE, id = seq_len(nw)))
cat(sprintf("coxph:       coef %.12g se %.12g robust se %.12g loglik %.13g iterations %d\n", coef(fw),
            sqrt(fw$naive.var), sqrt(fw$var), fw$loglik[2], fw$iter))
