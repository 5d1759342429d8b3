# The R side of bench/survival_bench.sh: reads FILE (time,event,group) with
# scan() (base R's fastest reader; the load), then survfit(Surv(time, event)
# ~ group) and survdiff() of the same (the call), and prints a RESULT line
# as bench-survival --run does: CPU (user + system) and wall seconds of the
# load and of the call, the chi-square, the medians and S(t) at each T.
# usage: Rscript bench/peers_survival.R FILE T1,T2,...
suppressMessages(library(survival))
a <- commandArgs(TRUE)
ts <- as.numeric(strsplit(a[2], ",")[[1]])
cpu <- function(p) p[[1]] + p[[2]]
p0 <- proc.time()
d <- scan(a[1], what = list(time = 0, event = 0L, group = 0L), sep = ",", skip = 1, quiet = TRUE)
p1 <- proc.time()
f <- survfit(Surv(d$time, d$event) ~ d$group)
s <- survdiff(Surv(d$time, d$event) ~ d$group)
p2 <- proc.time()
med <- summary(f)$table[, "median"]
sv <- summary(f, times = ts, extend = TRUE)$surv
rss <- as.numeric(sub(" kB", "", grep("VmHWM", readLines("/proc/self/status"), value = TRUE)
                      |> sub(pattern = "VmHWM:\\s*", replacement = ""))) / 1024
cat(sprintf("RESULT side=R n=%d groups=%d load_cpu=%.4f load_wall=%.4f call_cpu=%.4f call_wall=%.4f rss_mb=%.1f chisq=%.10g median=%s surv=%s\n",
            length(d$time), length(med), cpu(p1) - cpu(p0), p1[[3]] - p0[[3]], cpu(p2) - cpu(p1), p2[[3]] - p1[[3]],
            rss, s$chisq, paste(sprintf("%.10g", med), collapse = ","), paste(sprintf("%.10g", sv), collapse = ",")))
cat(sprintf("peer: %s, survival %s\n", R.version.string, as.character(packageVersion("survival"))))
