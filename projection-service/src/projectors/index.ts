import { auditProjector } from './audit';
import { customersProjector } from './customers';
import { usageProjector } from './usage';

export { auditProjector, projectAudit } from './audit';
export { customersProjector, projectCustomers } from './customers';
export { usageProjector, projectUsage, usageBucketId } from './usage';
export { assertNever, type Projector } from './projector';

/** The read models the query service serves. */
export const readModelProjectors = [customersProjector, usageProjector, auditProjector] as const;
