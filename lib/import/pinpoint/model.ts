/**
 * The Amazon Pinpoint journey model as `GetJourney` returns it and `CreateJourney` takes it, as zod
 * schemas: the shapes and member names of the service model (botocore
 * `pinpoint/2016-12-01/service-2.json`; the same model generates aws-sdk-js-v3's
 * `client-pinpoint`). Objects are strict, so a wrong key (`WAIT` for `Wait`, `EventPastDays`) is
 * caught with its JSON pointer instead of being ignored.
 */
import * as z from 'zod';

const str = z.string();
const int = z.number().int();

const attributeType = z.enum(['INCLUSIVE', 'EXCLUSIVE', 'CONTAINS', 'BEFORE', 'AFTER', 'ON', 'BETWEEN']);
const attributeDimension = z.object({ AttributeType: attributeType.optional(), Values: z.array(str) }).strict();
const metricDimension = z.object({ ComparisonOperator: str, Value: z.number() }).strict();
const setDimension = z
  .object({ DimensionType: z.enum(['INCLUSIVE', 'EXCLUSIVE']).optional(), Values: z.array(str) })
  .strict();
const attributes = z.record(str, attributeDimension);
const metrics = z.record(str, metricDimension);

const segmentDemographics = z
  .object({
    AppVersion: setDimension.optional(),
    Channel: setDimension.optional(),
    DeviceType: setDimension.optional(),
    Make: setDimension.optional(),
    Model: setDimension.optional(),
    Platform: setDimension.optional(),
  })
  .strict();
const segmentLocation = z
  .object({
    Country: setDimension.optional(),
    GPSPoint: z
      .object({
        Coordinates: z.object({ Latitude: z.number(), Longitude: z.number() }).strict(),
        RangeInKilometers: z.number().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
const segmentBehaviors = z
  .object({
    Recency: z
      .object({
        Duration: z.enum(['HR_24', 'DAY_7', 'DAY_14', 'DAY_30']),
        RecencyType: z.enum(['ACTIVE', 'INACTIVE']),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Segment dimensions: in a split's condition, and in a segment's definition. */
export const segmentDimensionsSchema = z
  .object({
    Attributes: attributes.optional(),
    Behavior: segmentBehaviors.optional(),
    Demographic: segmentDemographics.optional(),
    Location: segmentLocation.optional(),
    Metrics: metrics.optional(),
    UserAttributes: attributes.optional(),
  })
  .strict();

const eventDimensions = z
  .object({ Attributes: attributes.optional(), EventType: setDimension.optional(), Metrics: metrics.optional() })
  .strict();
const segmentCondition = z.object({ SegmentId: str }).strict();

const simpleCondition = z
  .object({
    EventCondition: z
      .object({ Dimensions: eventDimensions.optional(), MessageActivity: str.optional() })
      .strict()
      .optional(),
    SegmentCondition: segmentCondition.optional(),
    SegmentDimensions: segmentDimensionsSchema.optional(),
  })
  .strict();
const waitTime = z.object({ WaitFor: str.optional(), WaitUntil: str.optional() }).strict();

const next = { NextActivity: str.optional() };
const messageActivity = { ...next, TemplateName: str.optional(), TemplateVersion: str.optional() };

const activity = z
  .object({
    CUSTOM: z
      .object({
        ...messageActivity,
        DeliveryUri: str.optional(),
        EndpointTypes: z
          .array(
            z.enum([
              'PUSH',
              'GCM',
              'APNS',
              'APNS_SANDBOX',
              'APNS_VOIP',
              'APNS_VOIP_SANDBOX',
              'ADM',
              'SMS',
              'VOICE',
              'EMAIL',
              'BAIDU',
              'CUSTOM',
              'IN_APP',
            ]),
          )
          .optional(),
        MessageConfig: z.object({ Data: str.optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    ConditionalSplit: z
      .object({
        Condition: z
          .object({ Conditions: z.array(simpleCondition).optional(), Operator: z.enum(['ALL', 'ANY']).optional() })
          .strict()
          .optional(),
        EvaluationWaitTime: waitTime.optional(),
        FalseActivity: str.optional(),
        TrueActivity: str.optional(),
      })
      .strict()
      .optional(),
    ContactCenter: z.object(next).strict().optional(),
    Description: str.optional(),
    EMAIL: z
      .object({ ...messageActivity, MessageConfig: z.object({ FromAddress: str.optional() }).strict().optional() })
      .strict()
      .optional(),
    Holdout: z
      .object({ ...next, Percentage: int })
      .strict()
      .optional(),
    MultiCondition: z
      .object({
        Branches: z.array(z.object({ Condition: simpleCondition.optional(), ...next }).strict()).optional(),
        DefaultActivity: str.optional(),
        EvaluationWaitTime: waitTime.optional(),
      })
      .strict()
      .optional(),
    PUSH: z
      .object({ ...messageActivity, MessageConfig: z.object({ TimeToLive: str.optional() }).strict().optional() })
      .strict()
      .optional(),
    RandomSplit: z
      .object({ Branches: z.array(z.object({ ...next, Percentage: int.optional() }).strict()).optional() })
      .strict()
      .optional(),
    SMS: z
      .object({
        ...messageActivity,
        MessageConfig: z
          .object({
            MessageType: z.enum(['TRANSACTIONAL', 'PROMOTIONAL']).optional(),
            OriginationNumber: str.optional(),
            SenderId: str.optional(),
            EntityId: str.optional(),
            TemplateId: str.optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    Wait: z
      .object({ ...next, WaitTime: waitTime.optional() })
      .strict()
      .optional(),
  })
  .strict();

/** The activity types, in the order the service model lists them. */
export const ACTIVITY_TYPES = [
  'CUSTOM',
  'ConditionalSplit',
  'ContactCenter',
  'EMAIL',
  'Holdout',
  'MultiCondition',
  'PUSH',
  'RandomSplit',
  'SMS',
  'Wait',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

const day = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
const openHoursRules = z.partialRecord(
  day,
  z.array(z.object({ StartTime: str.optional(), EndTime: str.optional() }).strict()),
);
const closedDaysRules = z.array(
  z.object({ Name: str.optional(), StartDateTime: str.optional(), EndDateTime: str.optional() }).strict(),
);
const perChannel = <T extends z.ZodType>(rules: T) =>
  z
    .object({
      EMAIL: rules.optional(),
      SMS: rules.optional(),
      PUSH: rules.optional(),
      VOICE: rules.optional(),
      CUSTOM: rules.optional(),
    })
    .strict();

/**
 * A journey definition: the members of `JourneyResponse` and of `WriteJourneyRequest` (the
 * response adds Id, ApplicationId and tags; both carry the rest).
 */
export const journeyDefinitionSchema = z
  .object({
    Activities: z.record(str, activity).optional(),
    ApplicationId: str.optional(),
    ClosedDays: perChannel(closedDaysRules).optional(),
    CreationDate: str.optional(),
    Id: str.optional(),
    JourneyChannelSettings: z
      .object({ ConnectCampaignArn: str.optional(), ConnectCampaignExecutionRoleArn: str.optional() })
      .strict()
      .optional(),
    LastModifiedDate: str.optional(),
    Limits: z
      .object({
        DailyCap: int.optional(),
        EndpointReentryCap: int.optional(),
        EndpointReentryInterval: str.optional(),
        MessagesPerSecond: int.optional(),
        TimeframeCap: z.object({ Cap: int.optional(), Days: int.optional() }).strict().optional(),
        TotalCap: int.optional(),
      })
      .strict()
      .optional(),
    LocalTime: z.boolean().optional(),
    Name: str,
    OpenHours: perChannel(openHoursRules).optional(),
    QuietTime: z.object({ End: str.optional(), Start: str.optional() }).strict().optional(),
    RefreshFrequency: str.optional(),
    RefreshOnSegmentUpdate: z.boolean().optional(),
    Schedule: z
      .object({ EndTime: str.optional(), StartTime: str.optional(), Timezone: str.optional() })
      .strict()
      .optional(),
    SendingSchedule: z.boolean().optional(),
    StartActivity: str.optional(),
    StartCondition: z
      .object({
        Description: str.optional(),
        EventStartCondition: z
          .object({
            EventFilter: z
              .object({ Dimensions: eventDimensions, FilterType: z.enum(['SYSTEM', 'ENDPOINT']) })
              .strict()
              .optional(),
            SegmentId: str.optional(),
          })
          .strict()
          .optional(),
        SegmentStartCondition: segmentCondition.optional(),
      })
      .strict()
      .optional(),
    State: z.enum(['DRAFT', 'ACTIVE', 'COMPLETED', 'CANCELLED', 'CLOSED', 'PAUSED']).optional(),
    TimezoneEstimationMethods: z.array(z.enum(['PHONE_NUMBER', 'POSTAL_CODE'])).optional(),
    WaitForQuietTime: z.boolean().optional(),
    tags: z.record(str, str).optional(),
  })
  .strict();

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
export type Activity = z.infer<typeof activity>;
export type SimpleCondition = z.infer<typeof simpleCondition>;
export type SegmentDimensions = z.infer<typeof segmentDimensionsSchema>;
export type EventDimensions = z.infer<typeof eventDimensions>;
export type AttributeDimension = z.infer<typeof attributeDimension>;
export type MetricDimension = z.infer<typeof metricDimension>;
export type SetDimension = z.infer<typeof setDimension>;
export type WaitTime = z.infer<typeof waitTime>;
