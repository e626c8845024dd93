;; The CFB XOR of package mode (xor-kernel.ts): sealing's rounds, opening's gather and decrypt.
;; Assembled by `npm run assemble` (scripts/assemble-wasm.ts, with wabt) into xor-kernel-wasm.ts;
;; `assemble:check` in `npm test` fails when the two differ. The memory layout comes from
;; xor-kernel.ts as imported globals, so it is written down once.
(module
  (import "env" "memory" (memory 1))
  (global $firstKeystreamAt (import "layout" "firstKeystreamAt") i32)
  (global $startsAt (import "layout" "startsAt") i32)
  (global $endsAt (import "layout" "endsAt") i32)
  (global $feedbackAt (import "layout" "feedbackAt") i32)
  (global $keystreamAt (import "layout" "keystreamAt") i32)
  (global $openedAt (import "layout" "openedAt") i32)

  ;; to[0, n) = from[0, n) xor key[0, n): eight bytes at a time, then byte by byte. `to` may be `from`.
  (func $xor (param $from i32) (param $to i32) (param $key i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $from) (local.get $n)))
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.add (local.get $from) (i32.const 8)) (local.get $end)))
        (i64.store (local.get $to) (i64.xor (i64.load (local.get $from)) (i64.load (local.get $key))))
        (local.set $from (i32.add (local.get $from) (i32.const 8)))
        (local.set $key (i32.add (local.get $key) (i32.const 8)))
        (local.set $to (i32.add (local.get $to) (i32.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i32.ge_u (local.get $from) (local.get $end)))
        (i32.store8 (local.get $to) (i32.xor (i32.load8_u (local.get $from)) (i32.load8_u (local.get $key))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (local.set $key (i32.add (local.get $key) (i32.const 1)))
        (local.set $to (i32.add (local.get $to) (i32.const 1)))
        (br $bytes))))

  ;; Entry `index` of a table of 4-byte entries.
  (func $entry (param $table i32) (param $index i32) (result i32)
    (i32.load (i32.add (local.get $table) (i32.shl (local.get $index) (i32.const 2)))))

  ;; Seals block `blockOffset / 16` of the frames of ranks 0..active-1. Ranks below `going` have a full block
  ;; there and more after it: ciphertext = plaintext xor keystream, written in place and to the rank's feedback
  ;; block. The other ranks end in this block (it may be short): only their bytes are XORed. Rank r's keystream
  ;; block is at `keystream + r * keyStep` (step 0: one block for all).
  (func (export "round") (param $going i32) (param $active i32) (param $blockOffset i32) (param $keystream i32) (param $keyStep i32)
    (local $rank i32) (local $at i32) (local $key i32) (local $feedback i32) (local $word i64)
    (block $full_done
      (loop $full
        (br_if $full_done (i32.ge_u (local.get $rank) (local.get $going)))
        (local.set $at (i32.add (call $entry (global.get $startsAt) (local.get $rank)) (local.get $blockOffset)))
        (local.set $key (i32.add (local.get $keystream) (i32.mul (local.get $rank) (local.get $keyStep))))
        (local.set $feedback (i32.add (global.get $feedbackAt) (i32.shl (local.get $rank) (i32.const 4))))
        (local.set $word (i64.xor (i64.load (local.get $at)) (i64.load (local.get $key))))
        (i64.store (local.get $at) (local.get $word))
        (i64.store (local.get $feedback) (local.get $word))
        (local.set $word (i64.xor (i64.load offset=8 (local.get $at)) (i64.load offset=8 (local.get $key))))
        (i64.store offset=8 (local.get $at) (local.get $word))
        (i64.store offset=8 (local.get $feedback) (local.get $word))
        (local.set $rank (i32.add (local.get $rank) (i32.const 1)))
        (br $full)))
    (block $last_done
      (loop $last
        (br_if $last_done (i32.ge_u (local.get $rank) (local.get $active)))
        (local.set $at (i32.add (call $entry (global.get $startsAt) (local.get $rank)) (local.get $blockOffset)))
        (local.set $key (i32.add (local.get $keystream) (i32.mul (local.get $rank) (local.get $keyStep))))
        (call $xor (local.get $at) (local.get $at) (local.get $key)
          (i32.sub (call $entry (global.get $endsAt) (local.get $rank)) (local.get $at)))
        (local.set $rank (i32.add (local.get $rank) (i32.const 1)))
        (br $last))))

  ;; Copies every block but the last of frames 0..count-1 (ciphertext that feeds the next block's keystream)
  ;; to the feedback area, back to back; returns how many bytes that is.
  (func (export "gather") (param $count i32) (result i32)
    (local $frame i32) (local $at i32) (local $end i32) (local $feedback i32)
    (local.set $feedback (global.get $feedbackAt))
    (block $frames_done
      (loop $frames
        (br_if $frames_done (i32.ge_u (local.get $frame) (local.get $count)))
        (local.set $at (call $entry (global.get $startsAt) (local.get $frame)))
        (local.set $end (call $entry (global.get $endsAt) (local.get $frame)))
        (block $blocks_done
          (loop $blocks
            (br_if $blocks_done (i32.ge_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
            (i64.store (local.get $feedback) (i64.load (local.get $at)))
            (i64.store offset=8 (local.get $feedback) (i64.load offset=8 (local.get $at)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $feedback (i32.add (local.get $feedback) (i32.const 16)))
            (br $blocks)))
        (local.set $frame (i32.add (local.get $frame) (i32.const 1)))
        (br $frames)))
    (i32.sub (local.get $feedback) (global.get $feedbackAt)))

  ;; Decrypts frames 0..count-1 into the opened area, back to back: the first block with E(IV), the rest with
  ;; the keystream area (as many blocks per frame as gather() gave it).
  (func (export "open") (param $count i32)
    (local $frame i32) (local $at i32) (local $end i32) (local $firstEnd i32) (local $key i32) (local $to i32)
    (local.set $to (global.get $openedAt))
    (local.set $key (global.get $keystreamAt))
    (block $frames_done
      (loop $frames
        (br_if $frames_done (i32.ge_u (local.get $frame) (local.get $count)))
        (local.set $at (call $entry (global.get $startsAt) (local.get $frame)))
        (local.set $end (call $entry (global.get $endsAt) (local.get $frame)))
        ;; firstEnd = min(at + 16, end)
        (local.set $firstEnd
          (select (i32.add (local.get $at) (i32.const 16)) (local.get $end)
            (i32.lt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end))))
        (call $xor (local.get $at) (local.get $to) (global.get $firstKeystreamAt) (i32.sub (local.get $firstEnd) (local.get $at)))
        (local.set $to (i32.add (local.get $to) (i32.sub (local.get $firstEnd) (local.get $at))))
        (call $xor (local.get $firstEnd) (local.get $to) (local.get $key) (i32.sub (local.get $end) (local.get $firstEnd)))
        (local.set $to (i32.add (local.get $to) (i32.sub (local.get $end) (local.get $firstEnd))))
        ;; the next frame's keystream starts at a block boundary
        (local.set $key (i32.and (i32.add (i32.add (local.get $key) (i32.sub (local.get $end) (local.get $firstEnd))) (i32.const 15)) (i32.const -16)))
        (local.set $frame (i32.add (local.get $frame) (i32.const 1)))
        (br $frames)))))
