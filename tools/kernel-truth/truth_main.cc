// SPDX-License-Identifier: GPL-2.0
//
// ktruth_<target>: the ground-truth driver for one kernel object.  Built with
// the target's compiler (native for x86-64, a static cross build run under
// qemu-user elsewhere) and linked with build/kernel-truth/<target>/ktruth.o.
//
//   ktruth_<target> [--values N] [--seed S] [--audit-bits B] [--audit-sample N]
//                   [--json FILE] [--no-audit]
//
// 1. Reads the object's configuration and instantiates the model with it.
// 2. Differential check: every helper, model against kernel, on structured
//    values (the kernel's own constructors, chains of its transformations,
//    one-bit flips of those, swap entries, arm64 contpte blocks) and on N
//    random values (seeded).  x86: once per shadow-stack capability.
// 3. The real-code norecency audit (audit.h), and the meaning check on the
//    real helpers (meaning.h).
// Prints one summary line per part; writes a JSON report with --json.
// Exit: 0 clean, 1 a model/kernel mismatch, 2 bad arguments, 3 an audit
// difference nobody has triaged.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

#include "tools/kernel-truth/audit.h"
#include "tools/kernel-truth/meaning.h"
#include "tools/kernel-truth/diff.h"

#if defined(__x86_64__)
#include "core/arch/x86_64.h"
template <gf::ArchCfg C> using Model = gf::arch::X86_64T<C>;
#elif defined(__aarch64__)
#include "core/arch/arm64.h"
template <gf::ArchCfg C> using Model = gf::arch::Arm64T<C>;
#elif defined(__riscv) && __riscv_xlen == 64
#include "core/arch/riscv64.h"
template <gf::ArchCfg C> using Model = gf::arch::Riscv64T<C>;
#elif defined(__s390x__)
#include "core/arch/s390x.h"
template <gf::ArchCfg C> using Model = gf::arch::S390xT<C>;
#elif defined(__powerpc64__)
#include "core/arch/ppc64.h"
template <gf::ArchCfg C> using Model = gf::arch::Ppc64T<C>;
#elif defined(__i386__)
#include "core/arch/i386_pae.h"
template <gf::ArchCfg C> using Model = gf::arch::I386PaeT<C>;
#else
#error "no architecture model for this compiler target"
#endif

namespace gf::kt {

namespace {

const char* g_current = "";  // what the kernel is being asked, for the watchdog
void on_alarm(int) {
  const char msg[] = "ktruth: the kernel helper did not return within the watchdog (a contpte block the model "
                     "calls consistent makes contpte_ptep_get_lockless spin?)\n";
  (void)!write(2, msg, sizeof msg - 1);
  (void)!write(2, g_current, std::strlen(g_current));
  _exit(1);
}

// The kernel's transformations, used to walk from constructed entries.
kt_pte (*const kSteps[])(kt_pte) = {
    k_pte_mkold,  k_pte_mkyoung,   k_pte_mkclean,     k_pte_mkdirty,
    k_pte_wrprotect, k_pte_mkwrite, k_pte_mkspecial, k_pte_mkuffd_wp,
    k_pte_mksoft_dirty,
    [](kt_pte v) { return k_pte_modify(v, KT_PROT_NONE); },
    [](kt_pte v) { return k_pte_modify(v, KT_PROT_RO); },
    [](kt_pte v) { return k_pte_modify(v, KT_PROT_RW); },
};
constexpr int kNrSteps = sizeof(kSteps) / sizeof(kSteps[0]);

// Constructors, walks from every constructed entry, swap entries, every
// pattern of the low bits, and every encoding one bit away from those.
template <class A>
void check_structured(Differ<A>& d, Rng& rng) {
  const uint64_t pfns[] = {0, 1, 2, 0x10, 0x1234, 0xfffff, 0x100005, 0xabcdef};
  std::vector<pteval_t> structured;
  for (uint64_t pfn : pfns)
    for (int prot = 0; prot < KT_NR_PROTS; prot++) {
      d.ctor(pfn, prot);
      std::vector<pteval_t> frontier{pteval_t(k_pfn_pte(pfn, prot))};
      for (int depth = 0; depth < 3; depth++) {
        std::vector<pteval_t> next;
        for (pteval_t v : frontier)
          for (int s = 0; s < kNrSteps; s++) {
            const pteval_t w = kSteps[s](K(v));
            d.pair(v, w);
            next.push_back(w);
          }
        structured.insert(structured.end(), frontier.begin(), frontier.end());
        frontier.swap(next);
      }
      structured.insert(structured.end(), frontier.begin(), frontier.end());
    }
  for (unsigned type = 0; type < 32; type++)
    for (uint64_t off : {uint64_t(0), uint64_t(1), uint64_t(0x1234), uint64_t(rng.next() & 0xffffffffull)}) {
      d.swp(type, off);
      structured.push_back(k_swp_entry_pte(type, off));
    }
  // Every pattern of the low 12 bits (the flags of most layouts) over a few
  // high parts: entries the constructors never make but a cleared or racing
  // slot can hold (x86 pte_none() ignoring Accessed/Dirty was found so).
  for (pteval_t high : {pteval_t(0), pteval_t(0x1000), pteval_t(0x8000000000000000ull), pteval_t(0x12345000)})
    for (pteval_t low = 0; low < 0x1000; low++) structured.push_back(high | low);
  std::sort(structured.begin(), structured.end());
  structured.erase(std::unique(structured.begin(), structured.end()), structured.end());
  for (pteval_t v : structured) {
    d.value(v);
    for (int b = 0; b < 64; b++) d.value(v ^ (1ull << b));  // every encoding one bit away
  }

}

// Random values: fully random, random flags over a small frame, random pairs.
template <class A>
void check_random(Differ<A>& d, Rng& rng, uint64_t random_values) {
  for (uint64_t i = 0; i < random_values; i++) {
    const uint64_t r = rng.next();
    pteval_t v;
    switch (i % 3) {
      case 0: v = r; break;
      case 1: v = (r & 0xfff0000000000fffull) | ((r >> 12 & 0xff) << 12); break;
      default: v = kSteps[r % kNrSteps](k_pfn_pte(r >> 40 & 0xffff, int(r >> 8 % 5) % KT_NR_PROTS)); break;
    }
    d.value(v);
    d.pair(v, v ^ (1ull << (r >> 58)));
    d.pair(v, kSteps[(r >> 4) % kNrSteps](K(v)));
  }

}

// arm64: contpte blocks built by the kernel's constructors, each entry with
// its own young/dirty (what the MMU leaves), sometimes with one entry
// disturbed (then the model's lockless reader must see it).
template <class A>
void check_contpte(Differ<A>& d, Rng& rng, uint64_t random_values) {
  if constexpr (A::has_contpte) {
    const int n = int(k_cont_ptes());
    if (n != CONT_PTES) {
      std::fprintf(stderr, "ktruth: kernel CONT_PTES %d, model %d\n", n, CONT_PTES);
      std::exit(1);
    }
    for (uint64_t i = 0; i < random_values / 64 + 1000; i++) {
      const uint64_t r = rng.next();
      const uint64_t pfn0 = (r >> 20 & 0xfff) * CONT_PTES;
      const int prot = 1 + int(r % 4);
      pteval_t blk[CONT_PTES];
      for (int k = 0; k < CONT_PTES; k++) {
        kt_pte v = k_pte_mkcont(k_pfn_pte(pfn0 + k, prot));
        const uint64_t s = rng.next();
        if (s & 1) v = k_pte_mkold(v);
        if (s & 2) v = k_pte_mkdirty(v);
        blk[k] = v;
      }
      if (i % 4 == 3) {  // disturb one entry
        const int k = int(r >> 40) % CONT_PTES;
        blk[k] = kSteps[(r >> 48) % kNrSteps](K(blk[k]));
      }
      d.block(blk);
    }
  }
}

template <class A>
void check(Stats& st, const RunConfig& rc) {
  Differ<A> d{st};
  Rng rng{rc.seed};
  check_structured<A>(d, rng);
  check_random<A>(d, rng, rc.random_values);
  check_contpte<A>(d, rng, rc.random_values);
}

std::string cfg_str(const ArchCfg& c) {
  std::string s;
  s += c.numa_balancing ? "numa_balancing" : "no-numa_balancing";
  s += c.soft_dirty ? ",soft_dirty" : ",no-soft_dirty";
  s += c.uffd_wp ? ",uffd_wp" : ",no-uffd_wp";
  s += c.shstk ? ",shstk" : "";
  return s;
}

std::string jstr(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (uint8_t(ch) < 0x20) continue;
    o += ch;
  }
  return o + "\"";
}

bool parse_u64(const char* s, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s, &end, 0);
  return s[0] && *end == 0 && errno == 0 && s[0] != '-';
}

int usage(const char* why) {
  std::fprintf(stderr, "ktruth: %s\nusage: ktruth [--values N] [--seed S] [--audit-bits B] [--audit-sample N] "
               "[--no-audit] [--json FILE]\n", why);
  return 2;
}

struct Args {
  RunConfig rc;
  uint64_t audit_bits = 28, audit_sample = 1ull << 22;
  bool audit = true;
  const char* json = nullptr;
  bool probe = false;
};

// The command line; -1 when it is good, else the exit code.
int parse_args(int argc, char** argv, Args& o) {
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto num = [&](uint64_t& out) {
      if (i + 1 >= argc || !parse_u64(argv[++i], out)) return false;
      return true;
    };
    if (a == "--values") {
      if (!num(o.rc.random_values)) return usage("--values needs a number");
    } else if (a == "--seed") {
      if (!num(o.rc.seed)) return usage("--seed needs a number");
    } else if (a == "--audit-bits") {
      if (!num(o.audit_bits) || o.audit_bits > 40) return usage("--audit-bits needs a number up to 40");
    } else if (a == "--audit-sample") {
      if (!num(o.audit_sample) || o.audit_sample > (1ull << 34)) return usage("--audit-sample needs a number up to 2^34");
    } else if (a == "--probe") {  // can this binary run here?
      o.probe = true;
      return -1;
    } else if (a == "--no-audit") {
      o.audit = false;
    } else if (a == "--json") {
      if (i + 1 >= argc) return usage("--json needs a file");
      o.json = argv[++i];
    } else {
      return usage(("unknown argument '" + a + "'").c_str());
    }
  }
  return -1;
}

struct Part {
  gf::ArchCfg cfg;
  Stats st;
};

// The differential check, once per shadow-stack capability the kernel can have;
// false when the capability cannot be set.
bool run_parts(const char* arch, bool shstk_possible, const RunConfig& rc, std::vector<Part>& parts) {
  for (int shstk = 0; shstk <= int(shstk_possible); shstk++) {
    if (k_set_shstk(shstk) != shstk) {
      std::fprintf(stderr, "ktruth: %s: cannot set the shadow-stack capability to %d\n", arch, shstk);
      return false;
    }
    Part p{kernel_cfg(shstk), {}};
    p.st.on_mismatch = [&](const Mismatch& m) { std::fprintf(stderr, "%s\n", format_mismatch(arch, m).c_str()); };
    with_model<Model>(p.cfg, [&]<class A>() { check<A>(p.st, rc); });
    k_set_shstk(0);
    parts.push_back(std::move(p));
  }
  return true;
}

// One summary line per part; the mismatches of all.
uint64_t print_parts(const char* arch, const std::vector<Part>& parts) {
  uint64_t mismatches = 0;
  for (const Part& p : parts) {
    mismatches += p.st.mismatches;
    std::printf("ktruth: %s %s [%s]: %zu helpers, %llu values, %llu comparisons, %llu mismatches\n", arch,
                k_release(), cfg_str(p.cfg).c_str(), p.st.helpers.size(), (unsigned long long)p.st.values,
                (unsigned long long)p.st.comparisons, (unsigned long long)p.st.mismatches);
    for (const auto& [helper, n] : p.st.by_helper)
      std::printf("ktruth:   %s: %llu mismatches\n", helper.c_str(), (unsigned long long)n);
  }
  return mismatches;
}

void print_audit(const char* arch, const Audit& au) {
  std::printf("audit: %s %s: %s over %zu bits (recency bits %s), %llu entries\n", arch, au.config.c_str(),
              au.exhaustive ? "exhaustive" : "sampled", au.bits.size(), hex(au.recency_mask).c_str(),
              (unsigned long long)au.entries);
  if (au.norm_outside_recency)
    std::printf("audit: %s: pte_mkold(pte_mkclean()) changed a bit outside the recency bits %llu times: "
                "UNTRIAGED\n", arch, (unsigned long long)au.norm_outside_recency);
  for (const AuditRow& r : au.rows) {
    std::printf("audit:   %-28s %s", r.predicate.c_str(), r.differing ? "DIFFERS" : "agree");
    if (r.differing)
      std::printf(" in %llu of %llu classes, e.g. %s (%llu) vs %s (%llu): %s", (unsigned long long)r.differing,
                  (unsigned long long)r.classes, hex(r.a).c_str(), (unsigned long long)r.va, hex(r.b).c_str(),
                  (unsigned long long)r.vb, r.verdict.c_str());
    std::printf("\n");
  }
}

std::string parts_json(const char* arch, const std::vector<Part>& parts) {
  std::string o;
  for (size_t i = 0; i < parts.size(); i++) {
    const Part& p = parts[i];
    o += std::string(i ? ", " : "") + "{\"config\": " + jstr(cfg_str(p.cfg)) + ", \"helpers\": [";
    size_t h = 0;
    for (const char* name : p.st.helpers) o += std::string(h++ ? ", " : "") + jstr(name);
    o += "], \"values\": " + std::to_string(p.st.values) + ", \"comparisons\": " +
         std::to_string(p.st.comparisons) + ", \"mismatches\": " + std::to_string(p.st.mismatches) +
         ", \"first_mismatches\": [";
    for (size_t m = 0; m < p.st.first.size(); m++)
      o += std::string(m ? ", " : "") + jstr(format_mismatch(arch, p.st.first[m]));
    o += "]}";
  }
  return o;
}

std::string audits_json(const std::vector<Audit>& audits) {
  std::string o;
  for (size_t i = 0; i < audits.size(); i++) {
    const Audit& au = audits[i];
    o += std::string(i ? ", " : "") + "{\"config\": " + jstr(au.config) + ", \"exhaustive\": " +
         (au.exhaustive ? "true" : "false") + ", \"bits\": " + std::to_string(au.bits.size()) +
         ", \"recency_mask\": " + jstr(hex(au.recency_mask)) + ", \"entries\": " + std::to_string(au.entries) +
         ", \"norm_outside_recency\": " + std::to_string(au.norm_outside_recency) + ", \"predicates\": [";
    for (size_t r = 0; r < au.rows.size(); r++) {
      const AuditRow& row = au.rows[r];
      o += std::string(r ? ", " : "") + "{\"predicate\": " + jstr(row.predicate) + ", \"classes\": " +
           std::to_string(row.classes) + ", \"differing\": " + std::to_string(row.differing) +
           ", \"verdict\": " + jstr(row.verdict);
      if (row.differing)
        o += ", \"pair\": [" + jstr(hex(row.a)) + ", " + jstr(hex(row.b)) + "], \"values\": [" +
             std::to_string(row.va) + ", " + std::to_string(row.vb) + "]";
      o += "}";
    }
    o += "]}";
  }
  return o;
}

// The JSON report, written to a temporary file and renamed; false (with a message) on failure.
bool write_json(const char* json, const char* arch, const RunConfig& rc, const std::vector<Part>& parts,
                const std::vector<Audit>& audits) {
  const std::string o = "{\"arch\": " + jstr(arch) + ", \"kernel\": " + jstr(k_release()) + ", \"seed\": " +
                        std::to_string(rc.seed) + ", \"random_values\": " + std::to_string(rc.random_values) +
                        ", \"checks\": [" + parts_json(arch, parts) + "], \"audit\": [" + audits_json(audits) +
                        "]}\n";
  const std::string tmp = std::string(json) + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << o;
    if (!f.flush()) {
      std::fprintf(stderr, "ktruth: cannot write %s\n", tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), json) != 0) {
    std::fprintf(stderr, "ktruth: cannot rename %s to %s\n", tmp.c_str(), json);
    return false;
  }
  return true;
}

}  // namespace
}  // namespace gf::kt

int main(int argc, char** argv) {
  using namespace gf::kt;
  Args o;
  if (const int rc = parse_args(argc, argv, o); rc >= 0) return rc;
  if (o.probe) {  // can this binary run here?
    std::printf("%s\n", k_arch());
    return 0;
  }
  const char* arch = k_arch();
  if (k_page_shift() != unsigned(Model<gf::ArchCfg{}>::PAGE_SHIFT)) {
    std::fprintf(stderr, "ktruth: %s: kernel PAGE_SHIFT %u, model %d: not mirrored\n", arch, k_page_shift(),
                 Model<gf::ArchCfg{}>::PAGE_SHIFT);
    return 1;
  }
  std::signal(SIGALRM, on_alarm);
  alarm(1800);

  // Shadow stacks are a CPU capability: check with it off and, where the
  // kernel can have it, on.
  const bool shstk_possible = k_config() & KT_CFG_SHSTK_POSSIBLE;
  std::vector<Part> parts;
  if (!run_parts(arch, shstk_possible, o.rc, parts)) return 1;
  const uint64_t mismatches = print_parts(arch, parts);

  std::vector<Audit> audits;
  bool untriaged = false;
  if (o.audit)
    for (int shstk = 0; shstk <= int(shstk_possible); shstk++) {
      audits.push_back(run_audit(arch, shstk, int(o.audit_bits), o.audit_sample, o.rc.seed));
      untriaged |= audits.back().untriaged();
      print_audit(arch, audits.back());
    }
  // The meaning check on the real helpers (meaning.h), with the audit.
  if (o.audit)
    for (int shstk = 0; shstk <= int(shstk_possible); shstk++)
      untriaged |= print_meaning(arch, shstk, run_meaning(arch, shstk, int(o.audit_bits), o.audit_sample, o.rc.seed));
  if (o.json && !write_json(o.json, arch, o.rc, parts, audits)) return 2;
  if (mismatches) return 1;
  return untriaged ? 3 : 0;
}
