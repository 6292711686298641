// The adapter and limits a stand-in GPU runner reports to the tests that use one.
export const ADAPTER = { vendor: 'test', architecture: 'fake', device: '', description: '', is_fallback: false };
export const LIMITS = {
  max_buffer_size: 1 << 30,
  max_storage_buffer_binding_size: 1 << 27,
  max_compute_workgroups_per_dimension: 65_535,
  max_compute_invocations_per_workgroup: 256,
  max_compute_workgroup_size_x: 256,
  max_compute_workgroup_size_y: 256,
  max_compute_workgroup_size_z: 64,
};
