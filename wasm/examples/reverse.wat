;; The smallest unit that follows the Mesh unit ABI v1 (docs/UNIT_ABI.md), written by hand.
;; It ignores its params and outputs its input bytes in reverse order.
;; An empty input is refused with status 2 and a message, to show how a unit reports failure.
(module
  ;; The one import the ABI allows. This unit never needs it, but declaring it is harmless.
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))

  ;; One page to start, at most 16 (1 MiB): a unit's memory must declare its maximum.
  (memory (export "memory") 1 16)

  ;; A bump allocator: the next free byte. Address 0..15 hold the failure message.
  (global $next (mut i32) (i32.const 1024))
  (global $out_ptr (mut i32) (i32.const 0))
  (global $out_len (mut i32) (i32.const 0))
  (data (i32.const 0) "empty input")

  (func (export "mesh_abi_version") (result i32) (i32.const 1))

  ;; Returns a pointer to `len` fresh bytes, growing memory when needed; traps when it cannot.
  (func $alloc (export "mesh_alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $next))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s
              (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                                    (memory.size)))
              (i32.const 0))
          (then (unreachable)))))
    (global.set $next (local.get $end))
    (local.get $ptr))

  (func (export "mesh_run") (param $params_ptr i32) (param $params_len i32)
                            (param $input_ptr i32) (param $input_len i32) (result i32)
    (local $i i32)
    (if (i32.eqz (local.get $input_len))
      (then
        (global.set $out_ptr (i32.const 0))
        (global.set $out_len (i32.const 11))
        (return (i32.const 2))))
    (global.set $out_ptr (call $alloc (local.get $input_len)))
    (global.set $out_len (local.get $input_len))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $input_len)))
        (i32.store8
          (i32.add (global.get $out_ptr) (local.get $i))
          (i32.load8_u (i32.sub (i32.add (local.get $input_ptr) (local.get $input_len))
                                (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (i32.const 0))

  (func (export "mesh_output_ptr") (result i32) (global.get $out_ptr))
  (func (export "mesh_output_len") (result i32) (global.get $out_len))
)
