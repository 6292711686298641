// Runs one user WGSL compute shader (docs/UNIT_ABI.md, "WGSL units"): binding 0 is the unit's
// input (read-only storage), binding 1 the output buffer of `buffer_size` bytes, zeroed; one
// dispatch of `workgroups`; the output buffer's bytes are the unit's output. The spec was checked
// against our caps and this adapter's limits by the caller (checkShader).
import type { ShaderSpec } from '../src-main/core/gpu/shader.js';
import { GpuUnitError, withErrorScopes } from './errors.js';

/** Storage bindings are whole u32s: the input is padded to a multiple of 4 bytes (at least 4). */
function padded(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

export async function runShader(device: GPUDevice, spec: ShaderSpec, input: Uint8Array): Promise<Uint8Array> {
  const module = device.createShaderModule({ code: spec.wgsl_code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new GpuUnitError(
      'shader_compile',
      errors
        .slice(0, 5)
        .map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}`)
        .join('; '),
    );
  }
  const layout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
    ],
  });
  const buffers: GPUBuffer[] = [];
  try {
    const readback = await withErrorScopes(device, 'shader_compile', async () => {
      const pipeline = await device.createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: spec.entry_point },
      });
      const inputBuffer = device.createBuffer({
        size: padded(input.byteLength),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      const output = device.createBuffer({
        size: spec.buffer_size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      const read = device.createBuffer({
        size: spec.buffer_size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      buffers.push(inputBuffer, output, read);
      const staged = new Uint8Array(padded(input.byteLength));
      staged.set(input);
      device.queue.writeBuffer(inputBuffer, 0, staged);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(
        0,
        device.createBindGroup({
          layout,
          entries: [
            { binding: 0, resource: { buffer: inputBuffer } },
            { binding: 1, resource: { buffer: output } },
          ],
        }),
      );
      pass.dispatchWorkgroups(...spec.workgroups);
      pass.end();
      encoder.copyBufferToBuffer(output, 0, read, 0, spec.buffer_size);
      device.queue.submit([encoder.finish()]);
      return read;
    });
    await readback.mapAsync(GPUMapMode.READ);
    return new Uint8Array(readback.getMappedRange()).slice();
  } finally {
    for (const buffer of buffers) buffer.destroy();
  }
}
