# The R side of bench/cox_bench.sh: reads FILE (entry,time,event,stratum,
# plan,age,calls) with scan() (the load), then coxph(Surv(entry, time,
# event) ~ plan + age + calls + strata(stratum), ties = "efron", robust =
# TRUE, each row its own id) and cox.zph(fit, transform = "km") (the call: cx_cox_fit computes
# both), and prints a RESULT line as bench-cox --run does: CPU (user +
# system) and wall seconds of the load and of the call, peak memory, the
# coefficients, standard errors (model, robust), log likelihood and the
# global test of proportional hazards.
# usage: Rscript bench/peers_cox.R FILE
suppressMessages(library(survival))
a <- commandArgs(TRUE)
cpu <- function(p) p[[1]] + p[[2]]
p0 <- proc.time()
d <- scan(a[1], what = list(entry = 0, time = 0, event = 0L, stratum = 0L, plan = 0, age = 0, calls = 0),
          sep = ",", skip = 1, quiet = TRUE)
p1 <- proc.time()
d$id <- seq_along(d$time)
f <- coxph(Surv(d$entry, d$time, d$event) ~ d$plan + d$age + d$calls + strata(d$stratum), ties = "efron",
           robust = TRUE, id = d$id)
z <- cox.zph(f, transform = "km")
p2 <- proc.time()
rss <- as.numeric(sub(" kB", "", grep("VmHWM", readLines("/proc/self/status"), value = TRUE)
                      |> sub(pattern = "VmHWM:\\s*", replacement = ""))) / 1024
g <- function(v) paste(sprintf("%.12g", v), collapse = ",")
cat(sprintf(paste("RESULT side=R n=%d load_cpu=%.4f load_wall=%.4f call_cpu=%.4f call_wall=%.4f rss_mb=%.1f",
                  "loglik=%.12g iterations=%d coef=%s se=%s robust_se=%s zph_global=%.12g\n"),
            length(d$time), cpu(p1) - cpu(p0), p1[[3]] - p0[[3]], cpu(p2) - cpu(p1), p2[[3]] - p1[[3]], rss,
            f$loglik[2], f$iter, g(coef(f)), g(sqrt(diag(f$naive.var))), g(sqrt(diag(f$var))),
            z$table["GLOBAL", "chisq"]))
cat(sprintf("peer: %s, survival %s\n", R.version.string, as.character(packageVersion("survival"))))
