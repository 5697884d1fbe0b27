# Reads one assembly listing (LLVM's x86 or AArch64 output) and reports its innermost loops that
# contain the int8 multiply instruction `insn` (-v insn=vpdpbusd|vpmaddwd|pmaddwd|sdot|smull),
# and how many of those loops spill or reload a register (the comments LLVM writes on stack
# traffic it adds): "loops=N spilling=M". A loop runs from a label LLVM marks as an inner loop
# header to the branch back to that label.
/This Inner Loop Header/ { inloop = 1; label = prev; body_insn = 0; body_spill = 0 }
{
  if (inloop) {
    if ($1 ~ ("^" insn "$")) body_insn++
    if ($0 ~ /(Spill|Reload)/) body_spill++
    if (label != "" && $0 ~ /^[[:space:]]+(j|b\.|b[[:space:]]|cb|tb)/ && index($0, label) > 0) {
      if (body_insn > 0) { loops++; if (body_spill > 0) spilling++ }
      inloop = 0
    }
  }
  if ($0 ~ /^\.?[A-Za-z0-9_$.]+:/) { prev = $0; sub(/:.*/, "", prev) }
}
END { printf "loops=%d spilling=%d\n", loops, spilling }
